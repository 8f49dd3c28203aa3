// What the component sets on the Lambda function to start our runtime; transforms may not change these.
import { BundleFile } from "./bundle";

/** Where Lambda finds our `bootstrap` (the deployment package is unpacked in /var/task). */
export const EXEC_WRAPPER_PATH = `/var/task/${BundleFile.bootstrap}`;

/** The environment variable that makes the managed runtime run {@link EXEC_WRAPPER_PATH} instead of its client. */
export const EXEC_WRAPPER_VARIABLE = "AWS_LAMBDA_EXEC_WRAPPER";

/** The managed runtime whose `node` the bootstrap starts. */
export const LAMBDA_RUNTIME = "nodejs24.x";

/**
 * The managed runtime requires a handler setting, but never reads it: `AWS_LAMBDA_EXEC_WRAPPER` replaces
 * its client with our runtime, which runs the bundled handler.
 */
export const PLACEHOLDER_HANDLER = "index.handler";

/**
 * Function arguments the component builds and `transform.function` may not override: the runtime, the
 * placeholder handler and the deployment package (`code`, or any other source of code, which would replace
 * the bundle and its `bootstrap`).
 */
export const COMPONENT_BUILT_FUNCTION_ARGS = [
  "runtime",
  "handler",
  "code",
  "s3Bucket",
  "s3Key",
  "s3ObjectVersion",
  "imageUri",
  "packageType",
] as const;
