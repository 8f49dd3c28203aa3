// What a benchmarked client is: a name, and how to start it for each kind of handler.

/** Every client the bench knows, in the order they are listed in reports. */
export const CLIENT_NAMES = [
  "ours",
  "aws",
  "plain",
  "greedy",
  "ours-bare",
  "aws-bare",
  "aws-hono",
  "ours-hono",
  "ours-fetch",
  "ours-writer",
] as const;

/** A benchmarked client. */
export type ClientName = (typeof CLIENT_NAMES)[number];

/**
 * The clients most scenarios compare: ours and AWS's started as Lambda starts them, and the two bare
 * `node:http` baselines.
 */
export const DEPLOYED_CLIENTS: readonly ClientName[] = ["ours", "aws", "plain", "greedy"];

/**
 * Our runtime in a plain esbuild bundle and AWS's client, both started as bare `node`: what a user who
 * bundles the runtime themselves gets, against the runtime client they would otherwise run. Only the
 * cold-start and memory scenarios measure them.
 */
export const BARE_CLIENTS: readonly ClientName[] = ["ours-bare", "aws-bare"];

/**
 * The clients of the web scenarios: one Hono app on AWS's client through Hono's `streamHandle` and on ours
 * through `fetchHandler`, and the same work on ours as a bare fetch function and through the writer API.
 */
export const WEB_CLIENTS = ["aws-hono", "ours-hono", "ours-fetch", "ours-writer"] as const;

/** A client of the web scenarios. */
export type WebClientName = (typeof WEB_CLIENTS)[number];

/** Which benchmark handler a client process serves. */
export type HandlerKind = "streamed" | "buffered";

/** How to start one client process (the environment is the harness's, plus {@link Launch.env}). */
export interface Launch {
  /** The executable: node itself, or a shell running a bootstrap script that `exec`s node (so the pid stays node's). */
  readonly command: string;
  /** Its arguments. */
  readonly args: readonly string[];
  /** Variables the function's own configuration adds, e.g. `AWS_LAMBDA_EXEC_WRAPPER`. */
  readonly env?: Readonly<Record<string, string>>;
  /** `LAMBDA_TASK_ROOT`. */
  readonly taskRoot: string;
  /** `_HANDLER`, e.g. `index.streamed`. */
  readonly handler: string;
}

/** A client ready to launch: built, installed, bundled. */
export interface PreparedClient {
  readonly name: ClientName;
  /** One line for reports: what runs, e.g. `aws-lambda-ric 4.0.2`. */
  readonly description: string;
  /** How to start a process serving the `kind` handler. */
  launch(kind: HandlerKind): Launch;
}
