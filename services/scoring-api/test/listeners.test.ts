import { connect } from "node:net";
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, expect, it } from "vitest";
import { Listeners } from "../src/listeners.ts";

let app: FastifyInstance | undefined;
/** When the app sent each answer. */
const sent: number[] = [];
afterEach(async () => {
  await app?.close();
  app = undefined;
  sent.length = 0;
});

/** A raw HTTP/1.1 request on a connection of its own; the status code, or the connection error's code. */
function get(port: number, path = "/hello"): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" }, () =>
      socket.write(`GET ${path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`),
    );
    let data = "";
    socket.on("data", (d) => {
      data += d.toString();
    });
    socket.on("end", () => resolve(data.split(" ")[1] ?? ""));
    socket.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? "error"));
  });
}

async function serve(sockets: number): Promise<number> {
  const a = Fastify();
  app = a;
  a.get("/hello", async () => "hi");
  a.get<{ Querystring: { ms: string } }>(
    "/slow",
    async (req) => new Promise((r) => setTimeout(() => r("late"), Number(req.query.ms))),
  );
  a.addHook("onResponse", async () => void sent.push(performance.now()));
  const listeners = new Listeners(a, sockets);
  listeners.closeWithApp();
  return listeners.listen(0, "127.0.0.1");
}

it("serves the connections of every socket with the app's server", async () => {
  const port = await serve(8);
  // The kernel spreads connections over the group by their address: 64 reach every socket.
  const codes = await Promise.all(Array.from({ length: 64 }, () => get(port)));
  expect(codes).toEqual(Array(64).fill("200"));
});

it("stops accepting on every socket when the app closes", async () => {
  const port = await serve(8);
  await app?.close();
  app = undefined;
  const codes = await Promise.all(Array.from({ length: 16 }, () => get(port)));
  expect(codes).toEqual(Array(16).fill("ECONNREFUSED"));
});

it("closes the app only once the requests in flight on every socket are answered", async () => {
  const port = await serve(32);
  // Answers sent at staggered times: the last is on an extra socket 31 times in 32.
  const inFlight = Array.from({ length: 64 }, (_, i) => get(port, `/slow?ms=${200 + 5 * i}`));
  await new Promise((r) => setTimeout(r, 100));
  await app?.close();
  const closedAt = performance.now();
  app = undefined;
  expect(await Promise.all(inFlight)).toEqual(Array(64).fill("200"));
  expect(sent.length).toBe(64);
  expect(Math.max(...sent)).toBeLessThanOrEqual(closedAt);
});
