// The fake Runtime API itself: batches for the bench, what it records of each reply, and what it refuses.
import { expect } from "chai";
import { once } from "node:events";
import * as net from "node:net";
import { startHarness, stopAllHarnesses } from "../runtimeHarness";
import { FakeRuntimeApi } from "./fakeRuntimeApi";

/** Sends `wire` on a fresh connection and returns everything the fake answered until it closed. */
async function exchangeRaw(api: FakeRuntimeApi, wire: string): Promise<string> {
  const [host, port] = api.address.split(":");
  const socket = net.connect(Number(port), host);
  let answer = "";
  socket.on("data", (data: Buffer) => (answer += data.toString("latin1")));
  socket.end(wire, "latin1");
  await once(socket, "close");
  return answer;
}

describe("fake Runtime API", () => {
  afterEach(stopAllHarnesses);

  it("serves a batch back to back and records each reply's prelude, bytes and times", async () => {
    const { api } = await startHarness(
      async (_event, writer) => {
        await writer.writeStatusAndHeaders({ statusCode: 200 });
        await writer.write("abc");
        await writer.writeAndFinish("defg");
      },
      () => undefined,
      { keepBodyBytes: 20 },
    );
    const records = await api.serve(5, "{}");
    expect(records.map((r) => r.requestId)).to.deep.equal([0, 1, 2, 3, 4].map((i) => `batch-1-${i}`));
    for (const record of records) {
      const reply = record.reply;
      expect(reply?.prelude).to.equal('{"statusCode":200}');
      expect(record.bodyBytes, "bytes after the prelude's 8 NULs").to.equal(7);
      expect(reply?.bodyLength).to.equal('{"statusCode":200}'.length + 8 + 7);
      expect(reply?.body.length, "kept up to keepBodyBytes").to.equal(20);
      expect(reply?.lastChunk).to.equal(true);
      expect(reply?.answer).to.equal(202);
      // Each time follows from the one before it: the answer to /next, the post's head, its body, its end.
      expect(record.nextAnsweredAt).to.be.at.most(reply?.headAt ?? NaN);
      expect(reply?.headAt).to.be.at.most(record.firstBodyByteAt);
      expect(record.firstBodyByteAt).to.be.at.most(record.lastByteAt);
      expect(reply?.bodyTimes.length).to.be.at.least(1);
    }
  });

  it("rejects a batch when an invocation fails, naming it and the error", async () => {
    let served = 0;
    const { api } = await startHarness(async (_event, writer) => {
      if (++served === 2) throw new TypeError("second one fails");
      await writer.writeAndFinish("ok");
    });
    const outcome = await api.serve(3, "{}").then(
      () => "resolved",
      (error: Error) => error.message,
    );
    expect(outcome).to.match(/^invocation batch-1-1 failed: TypeError .*second one fails/);
  });

  it("answers a path outside the Runtime API with 404, and refuses what is not HTTP with 400", async () => {
    const api = await new FakeRuntimeApi().start();
    try {
      const unknown = await exchangeRaw(api, "GET /nowhere HTTP/1.1\r\nConnection: close\r\n\r\n");
      expect(unknown).to.match(/^HTTP\/1\.1 404 Not Found\r\n/);
      expect(unknown).to.include('"errorMessage":"unknown path GET /nowhere"');
      const garbage = await exchangeRaw(api, "SSH-2.0-OpenSSH_9.6\r\n\r\n");
      expect(garbage).to.match(/^HTTP\/1\.1 400 Bad Request\r\n/);
      expect(api.refusals.map((error) => error.message)).to.deep.equal([
        'malformed request line "SSH-2.0-OpenSSH_9.6"',
      ]);
      expect(api.connections).to.equal(2);
    } finally {
      await api.close();
    }
  });
});
