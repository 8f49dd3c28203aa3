// One client connection of the fake: parses its requests, records them, applies faults, writes answers.
import type * as net from "node:net";
import { encodeAnswer } from "./answers";
import { Exchange } from "./exchange";
import { firesAt, type Fault } from "./faults";
import { HttpParseError, RequestParser, type RequestHead } from "./requestParser";

/** What a connection needs from the fake it belongs to. */
export interface ConnectionHost {
  readonly keepBodyBytes: number;
  readonly recordRaw: boolean;
  /** The fault for a request that just started, if one applies. */
  faultFor(head: RequestHead): Fault | undefined;
  /** A request's head arrived. */
  started(exchange: Exchange): void;
  /** A request arrived in full and no fault answered it: answer it normally. */
  answer(connection: FakeConnection, exchange: Exchange): void;
  /** A request ended: it arrived in full (after `answer`), or its connection closed first. */
  ended(exchange: Exchange): void;
  /** The connection closed. */
  closed(connection: FakeConnection): void;
  /** The client sent something that is not HTTP. */
  refused(error: HttpParseError): void;
  /** Something changed that a waiting test may care about. */
  changed(): void;
}

/** One connection: a parser, the request in progress, and its fault. */
export class FakeConnection {
  /** The request in progress, or the last one. */
  exchange: Exchange | undefined;
  readonly #host: ConnectionHost;
  readonly #parser: RequestParser;
  #fault: Fault | undefined;
  #faultApplied = false;
  /** A fault answered the request: it gets no normal answer. */
  #answered = false;
  /** Reading is stopped; `#whenResumed` runs once it starts again. */
  #stalled = false;
  #whenResumed: (() => void) | undefined;
  #resumeTimer: NodeJS.Timeout | undefined;
  #stallStartedAt = 0;
  /** Whether the connection closes after the current answer (`Connection: close` from the client). */
  #closeAfterAnswer = false;
  /** The buffer being parsed (the shared read buffer, reused after each read). */
  #readBuffer: Buffer = Buffer.alloc(0);
  /** With `recordRaw`: bytes of a head that has not fully arrived yet (copies). */
  #rawBeforeHead: Buffer[] = [];
  /** With `recordRaw`: where the bytes of this read that are not recorded yet start. */
  #rawFrom = 0;
  /** Whether a request's head arrived and its end has not. */
  #inMessage = false;

  constructor(
    readonly socket: net.Socket,
    /** Counts from 1 in the order connections were accepted. */
    readonly id: number,
    host: ConnectionHost,
  ) {
    this.#host = host;
    this.#parser = new RequestParser({
      head: (head, at) => this.#onHead(head, at),
      body: (buffer, start, end, at) => this.#onBody(buffer, start, end, at),
      end: (trailers, lastChunk, at, offset) => this.#onEnd(trailers, lastChunk, at, offset),
    });
    socket.on("close", () => {
      clearTimeout(this.#resumeTimer);
      this.#parser.halt();
      const exchange = this.exchange;
      if (exchange?.cut(performance.now())) host.ended(exchange);
      host.closed(this);
      host.changed();
    });
  }

  /** Hands the connection what it read: `buffer[0, length)` at `at` (the buffer is reused afterwards). */
  read(buffer: Buffer, length: number, at: number): void {
    this.#readBuffer = buffer;
    this.#rawFrom = 0;
    try {
      this.#parser.push(buffer, 0, length, at);
    } catch (error) {
      if (!(error instanceof HttpParseError)) throw error;
      // The client sent something that is not HTTP: answer as a server would, and report it.
      this.#host.refused(error);
      this.#closeAfterAnswer = true;
      this.write([encodeAnswer(error.status, JSON.stringify({ errorMessage: error.message }))]);
      this.socket.destroy();
      return;
    }
    if (this.#host.recordRaw) this.#keepRaw(buffer, length);
  }

  /** Whether the connection is still open. */
  get open(): boolean {
    return !this.socket.destroyed;
  }

  /** Writes an answer (pieces written together), then closes the connection if the client asked for that. */
  write(parts: readonly Buffer[]): void {
    const socket = this.socket;
    if (socket.destroyed) return;
    socket.cork();
    for (const part of parts) socket.write(part);
    socket.uncork();
    if (this.#closeAfterAnswer) socket.end();
  }

  /** Ends a stall that has no duration of its own. */
  resumeReading(): void {
    if (this.#stalled) this.#resume();
  }

  #onHead(head: RequestHead, at: number): void {
    const host = this.#host;
    const exchange = new Exchange(this.id, head, at, host);
    this.exchange = exchange;
    this.#inMessage = true;
    for (const part of this.#rawBeforeHead.splice(0)) exchange.addRaw(part, 0, part.length);
    this.#fault = host.faultFor(head);
    this.#faultApplied = false;
    this.#answered = false;
    this.#closeAfterAnswer = head.headers.connection?.toLowerCase() === "close";
    if (head.headers.expect?.toLowerCase() === "100-continue") {
      this.socket.write("HTTP/1.1 100 Continue\r\n\r\n", "latin1");
    }
    host.started(exchange);
    this.#maybeFault("head", exchange);
    host.changed();
  }

  #onBody(buffer: Buffer, start: number, end: number, at: number): void {
    const exchange = this.exchange as Exchange;
    exchange.addBody(buffer, start, end, at);
    this.#maybeFault("body", exchange);
    this.#host.changed();
  }

  #onEnd(trailers: Readonly<Record<string, string>>, lastChunk: boolean, at: number, offset: number): void {
    const exchange = this.exchange as Exchange;
    if (this.#host.recordRaw) {
      exchange.addRaw(this.#readBuffer, this.#rawFrom, offset);
      this.#rawFrom = offset;
    }
    this.#inMessage = false;
    exchange.complete(trailers, lastChunk, at);
    this.#maybeFault("end", exchange);
    if (!this.#answered && this.open) {
      const answer = (): void => this.#host.answer(this, exchange);
      if (this.#stalled) this.#whenResumed = answer;
      else answer();
    }
    this.#host.ended(exchange);
    this.#host.changed();
  }

  #keepRaw(buffer: Buffer, length: number): void {
    if (this.#rawFrom >= length) return;
    if (this.#inMessage) this.exchange?.addRaw(buffer, this.#rawFrom, length);
    else this.#rawBeforeHead.push(Buffer.from(buffer.subarray(this.#rawFrom, length)));
  }

  #maybeFault(phase: "head" | "body" | "end", exchange: Exchange): void {
    const fault = this.#fault;
    if (!fault || this.#faultApplied || !this.open) return;
    if (!firesAt(fault.at, phase, exchange.bodyLength)) return;
    this.#faultApplied = true;
    switch (fault.kind) {
      case "drop":
        this.#answered = true;
        exchange.answer = "dropped";
        this.#parser.halt();
        this.socket.destroy();
        return;
      case "garbage":
        this.#answered = true;
        exchange.answer = "garbage";
        this.socket.write(fault.bytes, "latin1");
        return;
      case "answer":
        this.#answered = true;
        exchange.answer = fault.status;
        this.socket.write(
          encodeAnswer(fault.status, fault.body ?? "", fault.close ? { Connection: "close" } : {}),
        );
        if (fault.close) this.socket.end();
        return;
      case "stall":
        this.#stall(exchange, fault.forMs);
    }
  }

  #stall(exchange: Exchange, forMs: number | undefined): void {
    exchange.stall = { atBytes: exchange.bodyLength, resumedAfterMs: undefined };
    this.#stallStartedAt = performance.now();
    this.#stalled = true;
    this.#whenResumed = undefined;
    this.socket.pause();
    if (forMs !== undefined) this.#resumeTimer = setTimeout(() => this.#resume(), forMs);
  }

  #resume(): void {
    clearTimeout(this.#resumeTimer);
    this.#stalled = false;
    const stall = this.exchange?.stall;
    if (stall) stall.resumedAfterMs = performance.now() - this.#stallStartedAt;
    if (!this.socket.destroyed) this.socket.resume();
    const then = this.#whenResumed;
    this.#whenResumed = undefined;
    then?.();
    this.#host.changed();
  }
}
