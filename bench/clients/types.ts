// What a benchmarked client is: a name, and how to start it for each kind of handler.

/** The clients every scenario compares, in the order they are listed in reports. */
export const CLIENT_NAMES = ["ours", "aws", "plain", "greedy"] as const;

/** A benchmarked client. */
export type ClientName = (typeof CLIENT_NAMES)[number];

/** Which benchmark handler a client process serves. */
export type HandlerKind = "streamed" | "buffered";

/** How to start one client process (the environment is the harness's, plus {@link Launch.env}). */
export interface Launch {
  /** The executable: a shell running a bootstrap script, which `exec`s node (so the pid stays node's). */
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
