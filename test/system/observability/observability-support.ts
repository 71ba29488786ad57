// Helpers for the observability tests: the real services' metrics, promtool, free ports.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { createMetricsRegistry } from "@riskgate/common/metrics";
import { FeatureIngest } from "@riskgate/feature-ingest/consumer";
import { createIngestMetrics, type IngestMetrics } from "@riskgate/feature-ingest/ingest-metrics";
import { type ApiHarness, bearer, TOKENS } from "@riskgate/test-support/api-harness";
import { checkout, payment, T0 } from "@riskgate/test-support/events";
import { INGEST_TUNING, IngestHarness, testAdmission } from "@riskgate/test-support/ingest-harness";
import { waitFor } from "@riskgate/test-support/services";
import { pino } from "pino";
import type { Registry } from "prom-client";

export const PROMETHEUS = process.env.RISKGATE_PROMETHEUS ?? "/usr/bin/prometheus";
export const PROMTOOL = process.env.RISKGATE_PROMTOOL ?? "/usr/bin/promtool";

/** Fails with the install hint instead of a bare ENOENT (CI installs Debian's prometheus via .ci/run). */
export function requireBinary(path: string): void {
  if (!existsSync(path)) {
    throw new Error(
      `${path} not found: install Debian's Prometheus (apt-get install prometheus), as .ci/run does`,
    );
  }
}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command with `input` on stdin and collects its output. */
export function run(cmd: string, args: readonly string[], input = "", cwd?: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** `promtool check metrics` over the given exposition text. */
export function promtoolCheckMetrics(text: string): Promise<RunResult> {
  requireBinary(PROMTOOL);
  return run(PROMTOOL, ["check", "metrics"], text);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const REVIEW_MESSAGE = { text: "please whatsapp me, details at www.example-pay.com/booking" };

/** Scores `n` checkouts (some bound for review) through the HTTP app; returns the decisions. */
export async function scoreSome(h: ApiHarness, name: string, n = 5): Promise<string[]> {
  const decisions: string[] = [];
  for (let i = 0; i < n; i++) {
    const body = checkout(`${name}-${Date.now().toString(36)}-${i}`, T0 + i * 1000, {
      ...(i % 2 === 1 ? { message: REVIEW_MESSAGE } : {}),
    });
    const res = await h.app.inject({
      method: "POST",
      url: "/v1/score",
      headers: bearer(TOKENS.score),
      payload: body,
    });
    if (res.statusCode !== 200) throw new Error(`score ${i}: ${res.statusCode} ${res.body}`);
    decisions.push(res.json().decision);
  }
  return decisions;
}

/** /metrics of the API as a scraper sees it. */
export async function apiMetricsText(h: ApiHarness): Promise<string> {
  const res = await h.app.inject({ method: "GET", url: "/metrics" });
  if (res.statusCode !== 200) throw new Error(`/metrics: ${res.statusCode}`);
  return res.body;
}

/**
 * The process-level metrics main.ts adds (createMetricsRegistry: riskgate_process_*, riskgate_nodejs_*)
 * that the test harness's bare Registry leaves out.
 */
export function processRegistry(service: string): Registry {
  return createMetricsRegistry(service);
}

export interface LiveIngest {
  readonly registry: Registry;
  readonly metrics: IngestMetrics;
  close(): Promise<void>;
}

/**
 * A real FeatureIngest on the dev Kafka and Redis with the registry main.ts builds
 * (createMetricsRegistry + createIngestMetrics), after it consumed two events and dead-lettered one.
 */
export async function startLiveIngest(name: string): Promise<LiveIngest> {
  const h = new IngestHarness(name);
  await h.createTopics();
  const registry = createMetricsRegistry("feature-ingest");
  const metrics = createIngestMetrics(registry);
  const ingest = new FeatureIngest({
    kafka: h.kafka,
    store: h.store,
    topics: h.topics,
    groupId: h.groupId,
    logger: pino({ level: "silent" }),
    metrics,
    admission: testAdmission(),
    ...INGEST_TUNING,
  });
  await ingest.start();
  await h.produce([
    payment(`${name}-p1`, T0),
    payment(`${name}-p2`, T0 + 1000),
    { topic: "payments", raw: "{not json" },
  ]);
  const total = async (c: { get(): Promise<{ values: { value: number }[] }> }) =>
    (await c.get()).values.reduce((s, v) => s + v.value, 0);
  await waitFor(async () => (await total(metrics.applied)) >= 2 && (await total(metrics.deadLettered)) >= 1, {
    timeoutMs: 20_000,
    what: "feature-ingest to apply 2 events and dead-letter 1",
  });
  return {
    registry,
    metrics,
    close: async () => {
      await ingest.stop().catch(() => {});
      await h.close();
    },
  };
}

/** Every metric name a registry declares (values or not), e.g. riskgate_score_duration_seconds. */
export async function registeredNames(registry: Registry): Promise<Set<string>> {
  return new Set((await registry.getMetricsAsJSON()).map((m) => m.name));
}
