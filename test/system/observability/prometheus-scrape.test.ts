// A real Prometheus (Debian's /usr/bin/prometheus) scrapes the scoring API and answers a query.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ApiHarness, startApi } from "@riskgate/test-support/api-harness";
import { waitFor } from "@riskgate/test-support/services";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, PROMETHEUS, requireBinary, scoreSome } from "./observability-support.ts";

interface PromResponse<T> {
  status: string;
  data: T;
}
interface Target {
  labels: Record<string, string>;
  health: string;
  lastError: string;
}
interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

describe("Prometheus scrapes scoring-api", () => {
  let api: ApiHarness;
  let prom: ChildProcess | undefined;
  let promLog = "";
  let dir: string;
  let base: string;

  beforeAll(async () => {
    requireBinary(PROMETHEUS);
    api = await startApi({ redis: true });
    await api.app.listen({ port: 0, host: "127.0.0.1" });
    const address = api.app.server.address();
    const apiPort = typeof address === "object" && address ? address.port : 0;

    dir = await mkdtemp(join(tmpdir(), "rg-prom-"));
    const config = [
      "global:",
      "  scrape_interval: 1s",
      "  scrape_timeout: 900ms",
      "  evaluation_interval: 1s",
      "scrape_configs:",
      "  - job_name: scoring-api",
      "    static_configs:",
      `      - targets: ["127.0.0.1:${apiPort}"]`,
      "",
    ].join("\n");
    await writeFile(join(dir, "prometheus.yml"), config);
    const promPort = await freePort();
    base = `http://127.0.0.1:${promPort}`;
    prom = spawn(
      PROMETHEUS,
      [
        `--config.file=${join(dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        "--storage.tsdb.retention.time=1h",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const keep = (d: Buffer) => {
      promLog = (promLog + d.toString()).slice(-4000);
    };
    prom.stdout?.on("data", keep);
    prom.stderr?.on("data", keep);
    await waitFor(
      async () => {
        if (prom?.exitCode !== null) throw new Error(`prometheus exited: ${promLog}`);
        return (await fetch(`${base}/-/ready`)).ok;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: "prometheus to be ready" },
    );
  });

  afterAll(async () => {
    if (prom && prom.exitCode === null) {
      const exited = new Promise((r) => prom?.once("exit", r));
      prom.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (prom.exitCode === null) prom.kill("SIGKILL");
    }
    await api?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function query(expr: string): Promise<Sample[]> {
    const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as PromResponse<{ result: Sample[] }>;
    if (body.status !== "success") throw new Error(`query ${expr}: ${JSON.stringify(body)}`);
    return body.data.result;
  }

  it("sees the target up and the decisions scored", async () => {
    await waitFor(
      async () => {
        const res = await fetch(`${base}/api/v1/targets`);
        const body = (await res.json()) as PromResponse<{ activeTargets: Target[] }>;
        const t = body.data.activeTargets.find((a) => a.labels.job === "scoring-api");
        if (t?.lastError) throw new Error(t.lastError);
        return t?.health === "up";
      },
      { timeoutMs: 20_000, intervalMs: 250, what: `the scoring-api target to be up (${promLog})` },
    );

    const decisions = await scoreSome(api, "scrape", 5);
    let samples: Sample[] = [];
    await waitFor(
      async () => {
        samples = await query("sum by (decision) (riskgate_decisions_total)");
        return samples.reduce((s, x) => s + Number(x.value[1]), 0) >= decisions.length;
      },
      { timeoutMs: 20_000, intervalMs: 250, what: "riskgate_decisions_total in Prometheus" },
    );
    const byDecision = Object.fromEntries(samples.map((s) => [s.metric.decision, Number(s.value[1])]));
    for (const d of new Set(decisions)) {
      expect(byDecision[d]).toBe(decisions.filter((x) => x === d).length);
    }

    // A histogram arrives as a histogram: PromQL computes a quantile from the scraped buckets.
    const p99 = await query("histogram_quantile(0.99, sum by (le) (riskgate_score_duration_seconds_bucket))");
    expect(p99).toHaveLength(1);
    expect(Number(p99[0]?.value[1])).toBeGreaterThan(0);
    expect(Number(p99[0]?.value[1])).toBeLessThan(1);
  });
});
