// sendResponse: the prelude first, each chunk read only once the writer took the one before, HEAD not held up.
import { expect } from "chai";
import type { LambdaResponseStreamWriter, ResponseChunk } from "../../runtime";
import type { StreamingLambdaStatusAndHeadersResponse } from "../../runtime/prelude";
import { sendResponse } from "../../runtime/web/sendResponse";

/** A writer that logs every call and whose writes resolve only when the test says so. */
class GatedWriter implements LambdaResponseStreamWriter {
  readonly log: string[] = [];
  finished = false;
  readonly #pending: Array<() => void> = [];
  readonly #waiters: Array<() => void> = [];

  async writeStatusAndHeaders(response: StreamingLambdaStatusAndHeadersResponse): Promise<void> {
    this.log.push(`prelude ${response.statusCode}`);
  }
  write(chunk: ResponseChunk): Promise<void> {
    this.log.push(`write ${Buffer.from(chunk).toString()}`);
    for (const wake of this.#waiters.splice(0)) wake();
    return new Promise((resolve) => this.#pending.push(resolve));
  }
  async pipe(): Promise<void> {
    throw new Error("not used");
  }
  async finish(): Promise<void> {
    this.finished = true;
    this.log.push("finish");
  }
  async writeAndFinish(): Promise<void> {
    throw new Error("not used");
  }
  /** Resolves once a write is waiting for the writer to take it. */
  async writeWaiting(): Promise<void> {
    while (this.#pending.length === 0) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }
  /** Lets the oldest waiting write resolve. */
  take(): void {
    this.#pending.shift()?.();
  }
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe("sendResponse", () => {
  it("sends the prelude, then reads the next chunk only once the writer took the last (backpressure)", async () => {
    const writer = new GatedWriter();
    let pulls = 0;
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          writer.log.push(`pull ${++pulls}`);
          if (pulls <= 3) controller.enqueue(bytes(`c${pulls}`));
          else controller.close();
        },
      },
      { highWaterMark: 0 },
    );
    const sent = sendResponse(new Response(body, { status: 201 }), writer);
    for (let i = 1; i <= 3; i++) {
      await writer.writeWaiting();
      // While the write waits, nothing more is read from the app.
      expect(pulls, `pulls while write ${i} waits`).to.equal(i);
      writer.take();
    }
    await sent;
    expect(writer.log).to.deep.equal([
      "prelude 201",
      "pull 1",
      "write c1",
      "pull 2",
      "write c2",
      "pull 3",
      "write c3",
      "pull 4",
      "finish",
    ]);
  });

  it("answers HEAD with the prelude even when the app's cancel() never settles", async () => {
    const writer = new GatedWriter();
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      cancel: () => {
        cancelled = true;
        return new Promise<void>(() => undefined);
      },
    });
    await sendResponse(new Response(body, { status: 200 }), writer, { withoutBody: true });
    expect(writer.log).to.deep.equal(["prelude 200", "finish"]);
    expect(cancelled).to.equal(true);
  });
});
