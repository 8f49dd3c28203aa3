// Serves one measured batch and reports, beside the records, the CPU time the client and the fake server spent.
import type { Invocation } from "../../test/helpers/fakeRuntimeApi";
import { readCpuMs } from "../processes";
import type { ClientSession } from "./session";

/** A measured batch of invocations. */
export interface MeasuredBatch {
  readonly records: Invocation[];
  /** From the first `/next` answer to the last response byte, in ms. */
  readonly wallMs: number;
  /** CPU the client process used during the batch (all threads), in ms. */
  readonly clientCpuMs: number;
  /** CPU this process (the fake Runtime API) used during the batch, in ms. */
  readonly serverCpuMs: number;
}

/** Serves `count` invocations of `event` and measures them. */
export async function measureBatch(
  session: ClientSession,
  count: number,
  event: Buffer,
): Promise<MeasuredBatch> {
  const clientBefore = await readCpuMs(session.process.pid);
  const serverBefore = process.cpuUsage();
  const records = await session.serve(count, event);
  const server = process.cpuUsage(serverBefore);
  const clientAfter = await readCpuMs(session.process.pid);
  const first = records[0] as Invocation;
  const last = records[records.length - 1] as Invocation;
  return {
    records,
    wallMs: last.lastByteAt - first.nextAnsweredAt,
    clientCpuMs: clientAfter - clientBefore,
    serverCpuMs: (server.user + server.system) / 1000,
  };
}

/** Encodes a bench event as the JSON body `/next` returns. */
export function eventBody(event: object): Buffer {
  return Buffer.from(JSON.stringify(event));
}
