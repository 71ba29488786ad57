import { connect } from "node:net";
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, expect, it } from "vitest";
import { Listeners } from "../src/listeners.ts";

let app: FastifyInstance | undefined;
let listeners: Listeners | undefined;
afterEach(async () => {
  await listeners?.close();
  await app?.close();
});

/** A raw HTTP/1.1 request on a connection of its own; the status code, or the connection error's code. */
function get(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" }, () =>
      socket.end("GET /hello HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"),
    );
    let data = "";
    socket.on("data", (d) => {
      data += d.toString();
    });
    socket.on("end", () => resolve(data.split(" ")[1] ?? ""));
    socket.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? "error"));
  });
}

async function serve(sockets: number) {
  app = Fastify();
  app.get("/hello", async () => "hi");
  listeners = new Listeners(app, sockets);
  app.addHook("preClose", () => (listeners as Listeners).close());
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
  await (app as FastifyInstance).close();
  app = undefined;
  const codes = await Promise.all(Array.from({ length: 16 }, () => get(port)));
  expect(codes).toEqual(Array(16).fill("ECONNREFUSED"));
});
