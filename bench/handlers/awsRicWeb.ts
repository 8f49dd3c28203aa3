// Web-scenario handler for AWS's aws-lambda-ric: the same Hono app through Hono's own adapter, `streamHandle`.
import { streamHandle } from "hono/aws-lambda";
import { createBenchHonoApp } from "./webApp";

/**
 * What a Hono user deploys on the managed runtime to stream: `streamHandle(app)` from `hono/aws-lambda` (typed
 * `unknown`: only aws-lambda-ric calls it, and Hono's own handler type is not exported).
 */
export const honoStream: unknown = streamHandle(createBenchHonoApp());
