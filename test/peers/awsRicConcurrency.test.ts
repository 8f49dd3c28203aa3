// AWS's aws-lambda-ric with AWS_LAMBDA_MAX_CONCURRENCY against our local server with LOCAL_LAMBDA_CONCURRENCY:
// any Runtime API client can be tried against it, concurrent ones included.
import { expect } from "chai";
import * as path from "node:path";
import { sandboxEnvironment } from "../../bench/environment";
import { spawnClient, type ClientProcess } from "../../bench/processes";
import { Gate } from "../helpers/gate";
import { clientRequest, startTestServer, type TestServer } from "../local/harness";
import { prepareAwsRic, type PreparedAwsRic } from "./helpers/awsRicPeer";

/** A fresh machine compiles curl, aws-lambda-cpp and the addon: give it time. */
const INSTALL_TIMEOUT_MS = 15 * 60_000;
const CONCURRENCY = 4;

describe("aws-lambda-ric 4.0.2, 4 at once on 2 workers, against our local server with LOCAL_LAMBDA_CONCURRENCY=4", function () {
  let prepared: PreparedAwsRic;
  let server: TestServer | undefined;
  let ric: ClientProcess | undefined;
  let gate: Gate | undefined;

  before(async function () {
    this.timeout(INSTALL_TIMEOUT_MS);
    prepared = await prepareAwsRic(
      (line) => console.log(`      ${line}`),
      path.join(__dirname, "fixtures/awsRicConcurrentHandlers.ts"),
    );
  });

  after(async () => {
    await ric?.stop();
    await server?.server.close();
    await gate?.close();
  });

  it("gets 4 invocations at once from 4 concurrent /next, and each response carries its own id", async () => {
    server = await startTestServer({ concurrency: CONCURRENCY });
    gate = await new Gate().start();
    ric = spawnClient(prepared.node.binary, [prepared.ric.entry], {
      ...sandboxEnvironment({
        runtimeApi: server.server.runtimeApi,
        taskRoot: prepared.taskRoot,
        handler: "index.gated",
        nodeBinary: prepared.node.binary,
      }),
      AWS_LAMBDA_MAX_CONCURRENCY: String(CONCURRENCY),
      AWS_LAMBDA_NODEJS_WORKER_COUNT: "2",
    });
    const names = ["a", "b", "c", "d"];
    const requests = names.map((name) =>
      Promise.race([
        clientRequest(server as TestServer, {
          method: "POST",
          path: "/invoke",
          body: JSON.stringify({ gate: (gate as Gate).port, name }),
        }),
        (ric as ClientProcess).crashed,
      ]),
    );
    // All 4 are in their handlers at the same time: the local server handed out 4 concurrent /next.
    await Promise.race([gate.untilCount(CONCURRENCY), ric.crashed]);
    expect(server.inState("dispatched")).to.have.length(CONCURRENCY);
    gate.open();
    const results = await Promise.all(requests);
    for (const [index, result] of results.entries()) {
      const requestId = result.headers["x-amzn-requestid"];
      expect(result.status).to.equal(200);
      expect(result.body.toString()).to.match(new RegExp(`^${requestId} ${names[index]} \\d+$`));
    }
  });
});
