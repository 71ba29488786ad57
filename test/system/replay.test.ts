// npm run replay end to end: a small simulated world into real Kafka topics, through a real
// feature-ingest into Redis, every checkout scored by a listening scoring API; the final table's
// counts agree with the world and with what the ingest consumed.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startMetricsServer } from "@riskgate/common/metrics-server";
import { FeatureIngest } from "@riskgate/feature-ingest/consumer";
import { createIngestMetrics } from "@riskgate/feature-ingest/ingest-metrics";
import { startApi, TOKENS } from "@riskgate/test-support/api-harness";
import { INGEST_TUNING, IngestHarness, testAdmission } from "@riskgate/test-support/ingest-harness";
import { kafkaBrokers } from "@riskgate/test-support/services";
import { pino } from "pino";
import { Registry } from "prom-client";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

function run(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((ok) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? "", ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("close", (code) => ok({ code, stdout, stderr }));
  });
}

describe("npm run replay", () => {
  it("replays a world through Kafka and the ingest, scores every checkout, loses nothing and measures freshness", async () => {
    const dir = mkdtempSync(join(tmpdir(), "replay-world-"));
    const sim = await run([
      "models/simulator/src/cli.ts",
      "--out",
      dir,
      "--days",
      "1",
      "--checkouts-per-day",
      "50",
      "--quiet",
    ]);
    expect(sim.code).toBe(0);
    const world = JSON.parse(readFileSync(join(dir, "world.json"), "utf8")) as {
      events: number;
      checkouts: number;
    };

    const harness = new IngestHarness("replay");
    cleanup.push(() => harness.close());
    await harness.createTopics();
    const registry = new Registry();
    const ingest = new FeatureIngest({
      kafka: harness.kafka,
      store: harness.store,
      topics: harness.topics,
      groupId: harness.groupId,
      logger: pino({ level: "silent" }),
      metrics: createIngestMetrics(registry),
      admission: testAdmission(),
      ...INGEST_TUNING,
    });
    await ingest.start();
    cleanup.push(() => ingest.stop());
    const metrics = await startMetricsServer(registry, 0, "127.0.0.1");
    cleanup.push(() => metrics.close());
    const api = await startApi({ redis: true, env: { REDIS_KEY_PREFIX: harness.keyPrefix } });
    cleanup.push(() => api.close());
    await api.app.listen({ port: 0, host: "127.0.0.1" });
    const apiPort = (api.app.server.address() as AddressInfo).port;

    const replay = await run(
      [
        "models/simulator/src/replay/cli.ts",
        ...["--in", dir, "--score", "--rate", "max", "--probe-every-ms", "50"],
        ...["--topic-prefix", harness.topics.decisions.replace(/decisions$/, "")],
      ],
      {
        KAFKA_BROKERS: kafkaBrokers().join(","),
        RISKGATE_API_URL: `http://127.0.0.1:${apiPort}`,
        RISKGATE_SCORE_KEY: TOKENS.score,
        RISKGATE_INGEST_METRICS_URL: `http://127.0.0.1:${metrics.port}/metrics`,
      },
    );
    expect(replay.stderr).not.toMatch(/^replay: (?!\d|\[)/m);
    expect(replay.code).toBe(0);
    const out = replay.stdout;
    expect(out).toMatch(new RegExp(`total\\s+${world.checkouts}\\s+100%`));
    expect(out).toMatch(new RegExp(`world events produced\\s+${world.events - world.checkouts}\\s`));
    expect(out).toContain("none lost");
    const probes = /p50 \/ p99\s+[\d.]+ ms \/ [\d.]+ ms\s+\((\d+) probes/.exec(out);
    expect(Number(probes?.[1])).toBeGreaterThan(0);
    expect(out).not.toContain("no decision");
    expect(out).not.toContain("Stopped at event");
  }, 120_000);
});
