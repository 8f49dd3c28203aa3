// A real browser (headless Chromium, driven by puppeteer-core) reads the local server's stream across origins.
import { expect } from "chai";
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import puppeteer, { type Browser } from "puppeteer-core";
import { CHUNKS, startGatedServer, type GatedServer } from "../client/gatedServer";

/** Debian's Chromium (`apt-get install chromium`; `.ci/run` installs it). puppeteer-core never downloads one. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Serves a blank page on a loopback port of its own: a different origin from the local server's. */
async function startPageServer(): Promise<{ server: Server; origin: string }> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    response.end("<!doctype html><title>page</title><p>a page on another origin</p>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe("a browser reading the stream across origins (CORS)", function () {
  // Starting Chromium takes seconds on a loaded machine; nothing below waits on time, only on events.
  this.timeout(120_000);
  let browser: Browser;
  let allowedPage: { server: Server; origin: string };
  let otherPage: { server: Server; origin: string };
  let api: GatedServer;

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      // Not a pass: the test is reported as pending, with what to install.
      console.warn(`skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
      this.skip();
    }
    allowedPage = await startPageServer();
    otherPage = await startPageServer();
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      // Chromium's sandbox cannot run as root (CI containers); the pages here are our own.
      args: process.getuid?.() === 0 ? ["--no-sandbox"] : [],
    });
  });

  after(async () => {
    await browser?.close();
    allowedPage?.server.close();
    otherPage?.server.close();
  });

  beforeEach(async () => {
    api = await startGatedServer({ cors: { allowOrigins: [allowedPage.origin] } });
  });

  afterEach(async () => {
    await api.close();
  });

  it("streams to an allowed origin chunk by chunk (preflighted POST): each chunk arrives before the next is written", async () => {
    const page = await browser.newPage();
    const arrivals: { text: string; inBrowserAt: number; inNodeAt: number }[] = [];
    // The page reports each chunk as it reads it; only then may the handler write the next one.
    await page.exposeFunction("chunkArrived", (text: string, inBrowserAt: number) => {
      arrivals.push({ text, inBrowserAt, inNodeAt: performance.now() });
      api.release(arrivals.length - 1);
    });
    await page.goto(`${allowedPage.origin}/`);
    const url = `${api.t.server.url}/stream`;
    const result = await page.evaluate(async (target: string) => {
      const report = (globalThis as unknown as { chunkArrived(text: string, at: number): Promise<void> })
        .chunkArrived;
      // A JSON body makes this a preflighted request: the browser sends OPTIONS first.
      const response = await fetch(target, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: "{}",
      });
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      for (let next = await reader.read(); !next.done; next = await reader.read()) {
        await report(decoder.decode(next.value, { stream: true }), performance.now());
      }
      return { status: response.status, contentType: response.headers.get("content-type") };
    }, url);
    await page.close();

    expect(result).to.deep.equal({ status: 200, contentType: "text/plain" });
    expect(arrivals.map((arrival) => arrival.text)).to.deep.equal(CHUNKS);
    for (let i = 0; i + 1 < arrivals.length; i++) {
      const [current, next] = [arrivals[i], arrivals[i + 1]] as [(typeof arrivals)[0], (typeof arrivals)[0]];
      expect(next.inBrowserAt, "arrival times in the page").to.be.greaterThan(current.inBrowserAt);
      expect(current.inNodeAt, `chunk ${i + 1} reported before chunk ${i + 2} was written`).to.be.lessThan(
        api.writeStartedAt[i + 1] as number,
      );
    }
    expect(api.t.logs.some((line) => /^OPTIONS \/stream -> 204 .*CORS preflight$/.test(line))).to.equal(true);
  });

  it("is blocked by the browser for an origin not in the list, though the server answered", async () => {
    const page = await browser.newPage();
    await page.goto(`${otherPage.origin}/`);
    const outcome = await page.evaluate(async (base: string) => {
      const attempt = async (init: RequestInit, path: string): Promise<string> => {
        try {
          const response = await fetch(`${base}${path}`, init);
          return `read ${response.status}: ${await response.text()}`;
        } catch (error) {
          return `${(error as Error).name}: ${(error as Error).message}`;
        }
      };
      return {
        simple: await attempt({}, "/stream?echo=1"),
        preflighted: await attempt(
          { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" },
          "/stream?echo=1",
        ),
      };
    }, api.t.server.url);
    await page.close();

    expect(outcome.simple).to.equal("TypeError: Failed to fetch");
    expect(outcome.preflighted).to.equal("TypeError: Failed to fetch");
    // The simple GET reached the function and was answered; the browser withheld the answer from the page.
    expect(api.t.logs.some((line) => /^GET \/stream\?echo=1 -> 200 /.test(line))).to.equal(true);
    // The preflight was refused (no Access-Control-Allow-Origin), so the browser never sent the POST.
    expect(
      api.t.logs.some((line) => /^OPTIONS \/stream\?echo=1 -> 204 .*origin not allowed$/.test(line)),
    ).to.equal(true);
    expect(api.t.logs.some((line) => line.startsWith("POST "))).to.equal(false);
  });
});
