import type { Context } from "hono";

/**
 * Set a header on the response a handler has already made (middleware after `next()`).
 *
 * Hono's `c.header` rebuilds a finished response to set one: it reads `bodyUsed`, which turns
 * @hono/node-server's light response (status, body and headers, written straight to the socket)
 * into a full WHATWG Response, whose body is then encoded and streamed. Setting the header on
 * `c.res.headers` keeps the light response light. A response whose headers are immutable (one
 * that came from `fetch`) is rebuilt as Hono would.
 */
export function setResponseHeader(c: Context, name: string, value: string): void {
  try {
    c.res.headers.set(name, value);
  } catch {
    c.header(name, value);
  }
}
