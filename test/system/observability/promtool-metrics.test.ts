// `promtool check metrics` (Prometheus's own linter) over both services' /metrics as they run.

import { type ApiHarness, startApi } from "@riskgate/test-support/api-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apiMetricsText,
  type LiveIngest,
  processRegistry,
  promtoolCheckMetrics,
  scoreSome,
  startLiveIngest,
} from "./observability-support.ts";

describe("promtool check metrics", () => {
  let api: ApiHarness;
  let ingest: LiveIngest;
  beforeAll(async () => {
    [api, ingest] = await Promise.all([startApi({ redis: true }), startLiveIngest("promtool")]);
    await scoreSome(api, "promtool", 6);
  });
  afterAll(async () => {
    await api?.close();
    await ingest?.close();
  });

  it("passes on scoring-api's /metrics after scoring checkouts", async () => {
    const text = await apiMetricsText(api);
    expect(text).toMatch(/^riskgate_decisions_total\{/m);
    expect(text).toMatch(/^riskgate_score_duration_seconds_bucket\{/m);
    const res = await promtoolCheckMetrics(text);
    expect(res.stdout + res.stderr).toBe("");
    expect(res.code).toBe(0);
  });

  it("passes on feature-ingest's registry after consuming and dead-lettering", async () => {
    const text = await ingest.registry.metrics();
    expect(text).toMatch(/^riskgate_ingest_events_total\{/m);
    expect(text).toMatch(/^riskgate_ingest_dead_lettered_total\{/m);
    expect(text).toMatch(/^riskgate_ingest_consumer_lag\{/m);
    expect(text).toMatch(/^riskgate_process_cpu_seconds_total\{/m);
    const res = await promtoolCheckMetrics(text);
    expect(res.stdout + res.stderr).toBe("");
    expect(res.code).toBe(0);
  });

  it("passes on the process metrics main.ts adds to scoring-api's registry", async () => {
    const res = await promtoolCheckMetrics(await processRegistry("scoring-api").metrics());
    expect(res.stdout + res.stderr).toBe("");
    expect(res.code).toBe(0);
  });

  it("fails on a lint problem (the check can fail)", async () => {
    const bad = "# HELP x_total a gauge named like a counter\n# TYPE x_total gauge\nx_total 1\n";
    const res = await promtoolCheckMetrics(bad);
    expect(res.code).not.toBe(0);
    expect(res.stdout + res.stderr).toContain("_total");
  });
});
