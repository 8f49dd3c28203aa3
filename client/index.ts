// Public API of the client (`streaming-rest-api/client`): call a streaming route from an app or a script.
export {
  signedFetch,
  MissingCredentialsError,
  type AwsCredentials,
  type AwsCredentialsProvider,
  type SignedFetchOptions,
} from "./signedFetch";
export { EXECUTE_API_SERVICE, MissingRegionError, regionFromUrl } from "./signingScope";
