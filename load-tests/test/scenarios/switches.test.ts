// The kill-switch scenario's side actions against an admin endpoint that, like the API, applies the
// change before it answers, and answers 30 ms later: each mark is taken when the request leaves, so
// no checkout scored after the flip falls in the window before it.
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { plainContext } from "../../src/scenario.ts";
import { killSwitch } from "../../src/scenarios/switches.ts";

const flips: { engaged: boolean; atMs: number }[] = [];
const server = createServer((req, res) => {
  let body = "";
  req.on("data", (d: Buffer) => {
    body += d.toString();
  });
  req.on("end", () => {
    flips.push({ engaged: JSON.parse(body).engaged, atMs: Date.now() });
    setTimeout(() => res.writeHead(200, { "content-type": "application/json" }).end("{}"), 30);
  });
});
let baseUrl = "";
beforeAll(async () => {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("kill-switch scenario", () => {
  it("marks engaged and released no later than the API flips", async () => {
    const marks = new Map<string, number>();
    const ctx = {
      ...plainContext(baseUrl, { topicPrefix: "t." }),
      adminKey: "admin-key-0123456789",
      mark: (name: string, atMs = Date.now()) => void marks.set(name, atMs),
      log: () => {},
    };
    for (const action of killSwitch().actions ?? []) await action.run(ctx);
    expect(flips.map((f) => f.engaged)).toEqual([true, false]);
    expect(marks.get("engaged")).toBeLessThanOrEqual((flips[0] as { atMs: number }).atMs);
    expect(marks.get("released")).toBeLessThanOrEqual((flips[1] as { atMs: number }).atMs);
  });
});
