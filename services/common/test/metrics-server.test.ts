// The side port's endpoints: metrics, liveness, and readiness when the service says what ready means.
import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { type MetricsServer, startMetricsServer } from "../src/metrics-server.ts";

const servers: MetricsServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function start(options: Parameters<typeof startMetricsServer>[3]) {
  const server = await startMetricsServer(new Registry(), 0, "127.0.0.1", options);
  servers.push(server);
  return (path: string) => fetch(`http://127.0.0.1:${server.port}${path}`);
}

describe("metrics server", () => {
  it("answers /readyz 503 until the service is ready, then 200, while /healthz stays 200", async () => {
    let ready = false;
    const get = await start({ ready: () => ready });
    expect((await get("/readyz")).status).toBe(503);
    expect((await get("/healthz")).status).toBe(200);
    ready = true;
    expect((await get("/readyz")).status).toBe(200);
    ready = false;
    expect((await get("/readyz")).status).toBe(503);
  });

  it("has no /readyz when the service gives no readiness, and serves the given exposition text", async () => {
    const get = await start({ text: async () => "riskgate_example 1\n" });
    expect((await get("/readyz")).status).toBe(404);
    expect(await (await get("/metrics")).text()).toBe("riskgate_example 1\n");
  });
});
