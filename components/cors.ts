// CORS on the API: the OPTIONS preflight (a MOCK integration) and the gateway responses that carry the origin.
//
// In STREAM mode API Gateway maps nothing on the route's own responses (the function's prelude sets their CORS
// headers); what the API can answer itself is the preflight and its own errors (DEFAULT_4XX, DEFAULT_5XX).
import * as apigateway from "@pulumi/aws/apigateway";
import type * as pulumi from "@pulumi/pulumi";
import { child, type ChildScope, type Created } from "./children";
import type { ResolvedCors } from "./corsSettings";

/** The preflight's status, as the local server answers it. */
export const PREFLIGHT_STATUS = "204";

/**
 * API Gateway's own template for default gateway responses: set explicitly, so that adding headers to
 * DEFAULT_4XX and DEFAULT_5XX keeps the JSON `message` body a client reads.
 */
export const GATEWAY_RESPONSE_TEMPLATE = '{"message":$context.error.messageString}';

/** The request templates' content type: API Gateway picks it for requests without one (a preflight). */
const JSON_CONTENT_TYPE = "application/json";

/** What {@link createCors} created: the preflight's four children and the two gateway responses. */
export interface CorsChildren {
  readonly method: Created<apigateway.Method, apigateway.MethodArgs>;
  readonly integration: Created<apigateway.Integration, apigateway.IntegrationArgs>;
  readonly methodResponse: Created<apigateway.MethodResponse, apigateway.MethodResponseArgs>;
  readonly integrationResponse: Created<apigateway.IntegrationResponse, apigateway.IntegrationResponseArgs>;
  readonly gatewayResponses: readonly Created<apigateway.Response, apigateway.ResponseArgs>[];
}

/**
 * The preflight on the route's resource, and the CORS headers of API Gateway's own errors.
 * @param resourceId The route's resource (the API's root for `/`).
 */
export function createCors(
  scope: ChildScope,
  cors: ResolvedCors,
  restApi: apigateway.RestApi,
  resourceId: pulumi.Input<string>,
): CorsChildren {
  const method = child(
    scope,
    "corsMethod",
    apigateway.Method,
    { restApi: restApi.id, resourceId, httpMethod: "OPTIONS", authorization: "NONE" },
    // As the route's method: replaced delete-first, so a moved path never deploys beside the old method.
    { opts: { deleteBeforeReplace: true } },
  );
  const integration = child(scope, "corsIntegration", apigateway.Integration, {
    restApi: restApi.id,
    resourceId,
    httpMethod: method.resource.httpMethod,
    type: "MOCK",
    requestTemplates: { [JSON_CONTENT_TYPE]: `{"statusCode": ${PREFLIGHT_STATUS}}` },
    passthroughBehavior: "WHEN_NO_MATCH",
    // With binaryMediaTypes matching every type (the default, */*), API Gateway would treat the preflight as
    // binary, which a MOCK integration cannot produce: it answers 500 unless the payload is converted to text.
    contentHandling: "CONVERT_TO_TEXT",
  });
  const headers = preflightHeaders(cors);
  const methodResponse = child(scope, "corsMethodResponse", apigateway.MethodResponse, {
    restApi: restApi.id,
    resourceId,
    httpMethod: method.resource.httpMethod,
    statusCode: PREFLIGHT_STATUS,
    responseParameters: Object.fromEntries(
      Object.keys(headers).map((name) => [`method.response.header.${name}`, true]),
    ),
  });
  const template = originOverrideTemplate(cors.allowOrigins);
  const integrationResponse = child(
    scope,
    "corsIntegrationResponse",
    apigateway.IntegrationResponse,
    {
      restApi: restApi.id,
      resourceId,
      httpMethod: method.resource.httpMethod,
      statusCode: methodResponse.resource.statusCode,
      responseParameters: Object.fromEntries(
        Object.entries(headers).map(([name, value]) => [`method.response.header.${name}`, quoted(value)]),
      ),
      responseTemplates: template === undefined ? undefined : { [JSON_CONTENT_TYPE]: template },
      contentHandling: "CONVERT_TO_TEXT",
    },
    { opts: { dependsOn: [integration.resource] } },
  );
  const gatewayResponses = (["default4xxResponse", "default5xxResponse"] as const).map((key) =>
    child(scope, key, apigateway.Response, {
      restApiId: restApi.id,
      responseType: key === "default4xxResponse" ? "DEFAULT_4XX" : "DEFAULT_5XX",
      responseParameters: gatewayResponseParameters(cors),
      responseTemplates: { [JSON_CONTENT_TYPE]: GATEWAY_RESPONSE_TEMPLATE },
    }),
  );
  return { method, integration, methodResponse, integrationResponse, gatewayResponses };
}

/**
 * The preflight's headers as static values. `Access-Control-Allow-Origin` is `*`, the one origin, or (several
 * origins) the first one, which {@link originOverrideTemplate} replaces with the request's origin when that
 * is another allowed one: a browser refuses a preflight whose origin is not its own, as it refuses one with
 * none (the local server's answer to an origin not in the list).
 */
export function preflightHeaders(cors: ResolvedCors): Record<string, string> {
  const anyOrigin = cors.allowOrigins.includes("*");
  const headers: Record<string, string> = {
    "Access-Control-Allow-Origin": cors.allowOrigins[0] ?? "*",
    "Access-Control-Allow-Methods": cors.allowMethods.join(","),
    "Access-Control-Allow-Headers": cors.allowHeaders.join(","),
    "Access-Control-Max-Age": String(cors.maxAge),
  };
  if (!anyOrigin) headers["Vary"] = "Origin";
  if (cors.allowCredentials) headers["Access-Control-Allow-Credentials"] = "true";
  return headers;
}

/**
 * A response mapping template for the preflight when several origins are allowed: a MOCK integration cannot
 * pick a header value by itself, so the template reads the request's `Origin` (`$input.params().header`, in
 * either case) and, when it is one of the allowed origins (compared in lower case, as the runtime compares
 * them), overrides `Access-Control-Allow-Origin` with it (`$context.responseOverride`, applied once at most:
 * origins are distinct). It writes no body. `undefined` for one origin or `*`, which need no template.
 */
export function originOverrideTemplate(allowOrigins: readonly string[]): string | undefined {
  if (allowOrigins.length < 2) return undefined;
  // Origins are checked URL origins: no quote, `$` or `#` can end the VTL string literals.
  const list = allowOrigins.map((origin) => `'${origin}'`).join(", ");
  return [
    "#set($origin = \"$!input.params().header.get('Origin')\")",
    '#if($origin == "")#set($origin = "$!input.params().header.get(\'origin\')")#end',
    `#foreach($allowed in [${list}])`,
    "#if($origin.toLowerCase() == $allowed)#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)#end",
    "#end",
  ].join("\n");
}

/**
 * The CORS headers of the DEFAULT_4XX and DEFAULT_5XX gateway responses (403, 429, 502, 504, ...), so a page
 * can read why its request failed. Gateway responses are static apart from request parameters: `*` and a
 * single origin are literal; with several origins the response echoes the request's `Origin`
 * (`method.request.header.Origin`), since it cannot test it against the list. Those bodies are API
 * Gateway's own error messages, never the function's data.
 */
export function gatewayResponseParameters(cors: ResolvedCors): Record<string, string> {
  const origin =
    cors.allowOrigins.length > 1 ? "method.request.header.Origin" : quoted(cors.allowOrigins[0] ?? "*");
  const parameters: Record<string, string> = { "gatewayresponse.header.Access-Control-Allow-Origin": origin };
  if (!cors.allowOrigins.includes("*")) parameters["gatewayresponse.header.Vary"] = quoted("Origin");
  if (cors.allowCredentials)
    parameters["gatewayresponse.header.Access-Control-Allow-Credentials"] = quoted("true");
  if (cors.exposeHeaders.length > 0) {
    parameters["gatewayresponse.header.Access-Control-Expose-Headers"] = quoted(cors.exposeHeaders.join(","));
  }
  return parameters;
}

/** A static value in an API Gateway parameter mapping: a literal in single quotes. */
function quoted(value: string): string {
  return `'${value}'`;
}
