// The replay waits for a feature-ingest that has not joined its consumer group yet, and never for
// one it cannot ask.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { waitForIngest } from "../../src/replay/stack-env.ts";

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/** An ingest side port whose /readyz answers each status in turn (the last one from then on). */
async function ingestAnswering(statuses: number[]): Promise<{ metricsUrl: string; asked: () => number }> {
  let asked = 0;
  const server = createServer((req, res) => {
    if (req.url === "/readyz") res.statusCode = statuses[Math.min(asked++, statuses.length - 1)] as number;
    else res.statusCode = 404;
    res.end();
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return { metricsUrl: `http://127.0.0.1:${port}/metrics`, asked: () => asked };
}

describe("waitForIngest", () => {
  it("waits while /readyz answers 503, saying so once, and returns when it answers 200", async () => {
    const ingest = await ingestAnswering([503, 503, 503, 200]);
    const said: string[] = [];
    await waitForIngest(ingest.metricsUrl, (l) => said.push(l));
    expect(ingest.asked()).toBe(4);
    expect(said).toEqual([expect.stringContaining("waiting for feature-ingest to join its consumer group")]);
  });

  it("gives up after its timeout and says it replays anyway", async () => {
    const ingest = await ingestAnswering([503]);
    const said: string[] = [];
    await waitForIngest(ingest.metricsUrl, (l) => said.push(l), 300);
    expect(said.at(-1)).toContain("still not consuming");
  });

  it("does not wait for an ingest without /readyz, one it cannot reach, or none at all", async () => {
    const old = await ingestAnswering([404]);
    const said: string[] = [];
    await waitForIngest(old.metricsUrl, (l) => said.push(l));
    await waitForIngest("http://127.0.0.1:9/metrics", (l) => said.push(l));
    await waitForIngest(undefined, (l) => said.push(l));
    expect(old.asked()).toBe(1);
    expect(said).toEqual([]);
  });
});
