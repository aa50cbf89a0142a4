import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { startServer } from "./harness.ts";

/**
 * Slow clients that dribble their headers one byte at a time are cut off by the real server
 * (headers timeout), and meanwhile everyone else is served as usual.
 */
describe("slow clients", () => {
  it("a client dribbling headers is disconnected, and other requests are answered meanwhile", {
    timeout: 60_000,
  }, async () => {
    const server = await startServer();
    try {
      const { hostname, port } = new URL(server.url);
      const started = Date.now();
      const closed = new Promise<{ after: number; response: string }>((resolve) => {
        let response = "";
        const socket = connect(Number(port), hostname, () => {
          const head = "GET /api/v1/me HTTP/1.1\r\nHost: x\r\nX-Slow: ";
          let i = 0;
          const timer = setInterval(() => {
            if (socket.destroyed) return clearInterval(timer);
            socket.write(head[i % head.length]!);
            i++;
          }, 500);
          socket.on("data", (d) => {
            response += d.toString();
          });
          socket.on("close", () => {
            clearInterval(timer);
            resolve({ after: Date.now() - started, response });
          });
        });
        socket.on("error", () => undefined);
      });
      // While it dribbles, the server answers others at once.
      for (let i = 0; i < 5; i++) {
        const t0 = Date.now();
        expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
        expect(Date.now() - t0).toBeLessThan(2000);
        await new Promise((r) => setTimeout(r, 500));
      }
      const { after, response } = await closed;
      // Cut off by the 10-second headers timeout (with a margin), never served.
      expect(after).toBeGreaterThanOrEqual(9_000);
      expect(after).toBeLessThan(20_000);
      expect(response).not.toContain("200 OK");
      console.log(
        `slow client: disconnected after ${(after / 1000).toFixed(1)} s (${response.split("\r\n")[0] || "no answer"})`,
      );
    } finally {
      await server.stop();
    }
  });
});
