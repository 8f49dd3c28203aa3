// The Hono example: a web-standard app (streamed text, SSE, JSON, cookies, binary, 404) served by fetchHandler.
import { Hono } from "hono";
import { setCookie } from "hono/cookie";
import { stream, streamSSE } from "hono/streaming";
import { fetchHandler, type FetchHandlerEnv } from "../../runtime";

/** A 2 × 2 RGBA PNG, the body of `GET /pixel.png`. */
export const PIXEL_PNG = Uint8Array.from(
  atob(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAGklEQVR4nGNgZGJmYWVj52Dg5OLm4eXjFwAAA2YAiW35KlEAAAAASUVORK5CYII=",
  ),
  (char) => char.charCodeAt(0),
);

/** The items `GET /items/:id` knows; any other id is a 404. */
const ITEMS: Readonly<Record<string, { name: string }>> = { "1": { name: "first" }, "2": { name: "second" } };

/**
 * Makes the example app. Its routes, as a client sees them (below the stage in a deployed URL):
 * - `GET /stream`: `1`, `2`, `3` a pause apart, then `Streaming complete!` (`hono/streaming`'s `stream`);
 * - `GET /events`: three server-sent events a pause apart (`streamSSE`);
 * - `GET /json`: a JSON document with the request id and the path the app saw;
 * - `GET /cookies`: two `Set-Cookie` headers (`setCookie` twice);
 * - `GET /pixel.png`: a PNG image; `POST /echo`: the request body back, bytes and `Content-Type` as sent;
 * - `GET /items/:id`: an item as JSON, or `c.notFound()`; any other path: a JSON 404.
 * @param pauseMs The pause between streamed pieces, in ms. @default 1000
 */
export function createApp(pauseMs = 1000): Hono<{ Bindings: FetchHandlerEnv }> {
  const app = new Hono<{ Bindings: FetchHandlerEnv }>();

  app.get("/stream", (c) => {
    c.header("Content-Type", "text/plain; charset=utf-8");
    return stream(c, async (body) => {
      for (let i = 1; i <= 3; i++) {
        await body.write(`${i}\n`);
        await body.sleep(pauseMs);
      }
      await body.write("Streaming complete!\n");
    });
  });

  app.get("/events", (c) =>
    streamSSE(c, async (events) => {
      for (let i = 1; i <= 3; i++) {
        await events.writeSSE({ event: "tick", id: String(i), data: JSON.stringify({ tick: i }) });
        if (i < 3) await events.sleep(pauseMs);
      }
    }),
  );

  // `c.env` is { event, context }: the REST API event and the invocation's context.
  app.get("/json", (c) =>
    c.json({ message: "Hello from Hono", path: c.req.path, requestId: c.env.context.requestId }),
  );

  app.get("/cookies", (c) => {
    setCookie(c, "session", "abc123", { httpOnly: true, secure: true, sameSite: "Lax", path: "/" });
    setCookie(c, "theme", "dark", { path: "/" });
    return c.text("two cookies set\n");
  });

  app.get("/pixel.png", (c) => c.body(PIXEL_PNG, 200, { "Content-Type": "image/png" }));

  app.post("/echo", async (c) => {
    const bytes = await c.req.arrayBuffer();
    return c.body(bytes, 200, { "Content-Type": c.req.header("Content-Type") ?? "application/octet-stream" });
  });

  app.get("/items/:id", (c) => {
    const item = ITEMS[c.req.param("id")];
    return item ? c.json(item) : c.notFound();
  });

  app.notFound((c) => c.json({ message: `no route for ${c.req.method} ${c.req.path}` }, 404));
  return app;
}

/** The app, with one-second pauses. */
export const app = createApp();

/** The Lambda handler: `npm start -- --handler handler/hono/app.ts`, or the component's `handler`. */
export const handler = fetchHandler(app);
