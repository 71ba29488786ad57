// OpenTelemetry tracing: off by default at no cost; on, one `score` span per checkout with a child
// per stage, no personal data in attributes, log lines carrying the trace id, and spans reaching an
// OTLP/HTTP collector.
import { createServer, type IncomingMessage, type Server } from "node:http";
import { Writable } from "node:stream";
import { context, propagation, trace } from "@opentelemetry/api";
import { InMemorySpanExporter, type ReadableSpan } from "@opentelemetry/sdk-trace";
import { createLogger } from "@riskgate/common/logger";
import { createTracing, otlpTracesUrl, type Tracing } from "@riskgate/common/tracing";
import { FeatureIngest } from "@riskgate/feature-ingest/consumer";
import { createIngestMetrics } from "@riskgate/feature-ingest/ingest-metrics";
import { type Composed, composeScoringApi } from "@riskgate/scoring-api/compose";
import { loadApiConfig } from "@riskgate/scoring-api/config";
import { bearer, TOKENS } from "@riskgate/test-support/api-harness";
import { checkout, payment, T0 } from "@riskgate/test-support/events";
import { INGEST_TUNING, IngestHarness, testAdmission } from "@riskgate/test-support/ingest-harness";
import { uniquePrefix, waitFor } from "@riskgate/test-support/services";
import { Redis } from "ioredis";
import { pino } from "pino";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "./observability-support.ts";

const KEYS = `score:${TOKENS.score}`;

/** Log lines as parsed JSON objects. */
function captureLogs() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { lines, logger: createLogger({ level: "info", service: "scoring-api" }, stream) };
}

async function compose(tracing: Tracing | undefined, logger = captureLogs().logger, redis?: Redis) {
  const config = loadApiConfig({ RISKGATE_API_KEYS: KEYS, REDIS_KEY_PREFIX: uniquePrefix("tracing") });
  const composed = await composeScoringApi({
    config,
    logger,
    registry: new Registry(),
    keys: config.apiKeys,
    ...(tracing ? { tracing } : {}),
    ...(redis ? { redis } : {}),
    // No event-loop lag probe: this box's load must not degrade the checkouts whose spans are checked.
    lagProbe: { lagMs: () => 0 },
  });
  await composed.app.ready();
  return composed;
}

async function closeAll(c: Composed) {
  for (const closer of c.closers) await closer.close();
}

const PERSONAL = { user: "u_tracing_7", email: "example.com", ip: "203.0.113.77", device: "d_tracing_7" };
const body = (id: string) =>
  checkout(id, T0, {
    user: { id: PERSONAL.user, created_at: "2025-01-01T00:00:00Z", email_domain: PERSONAL.email },
    device: { id: PERSONAL.device, ip: PERSONAL.ip, ip_country: "PT" },
  });

describe("tracing off (no OTEL_EXPORTER_OTLP_ENDPOINT)", () => {
  it("creates nothing: spans are plain calls and the tracer records nothing", () => {
    const t = createTracing({ serviceName: "riskgate-test" });
    expect(t.enabled).toBe(false);
    const out = t.span("x", (s) => {
      s.setAttributes({ a: 1 });
      return 42;
    });
    expect(out).toBe(42);
    const span = t.tracer.startSpan("y");
    expect(span.isRecording()).toBe(false);
    span.end();
  });

  it("parses OTEL_EXPORTER_OTLP_ENDPOINT in config and rejects a non-URL", () => {
    expect(loadApiConfig({}).otlpEndpoint).toBeUndefined();
    expect(loadApiConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" }).otlpEndpoint).toBe(
      "http://collector:4318",
    );
    expect(() => loadApiConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "collector" })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT/,
    );
    expect(otlpTracesUrl("http://collector:4318/")).toBe("http://collector:4318/v1/traces");
  });
});

describe("tracing on", () => {
  const exporter = new InMemorySpanExporter();
  const tracing = createTracing({ serviceName: "riskgate-scoring-api", exporter });
  beforeAll(() => {
    // What main.ts does: the AsyncLocalStorage context manager makes stages children of `score`.
    tracing.register();
  });
  afterAll(async () => {
    await tracing.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });

  async function spansOf(traceId: string): Promise<ReadableSpan[]> {
    await tracing.forceFlush();
    return exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
  }

  it("records a score span per checkout with features, rules, model and policy children", async () => {
    const api = await compose(tracing);
    try {
      exporter.reset();
      const res = await api.app.inject({
        method: "POST",
        url: "/v1/score",
        headers: bearer(TOKENS.score),
        payload: body("trace-1"),
      });
      expect(res.statusCode).toBe(200);
      const answer = res.json();
      await tracing.forceFlush();
      const roots = exporter.getFinishedSpans().filter((s) => s.name === "score");
      expect(roots).toHaveLength(1);
      const root = roots[0] as ReadableSpan;
      const spans = await spansOf(root.spanContext().traceId);
      const children = spans.filter((s) => s.parentSpanContext?.spanId === root.spanContext().spanId);
      expect(children.map((s) => s.name).sort()).toEqual(["features", "model", "policy", "rules"]);
      expect(root.attributes).toMatchObject({
        "riskgate.decision": answer.decision,
        "riskgate.mode": answer.mode,
        "riskgate.model.version": answer.model.version,
        "riskgate.rules.version": answer.rules_version,
      });
      expect(root.resource.attributes["service.name"]).toBe("riskgate-scoring-api");
      // No personal data anywhere in the trace.
      const text = JSON.stringify(spans.map((s) => [s.name, s.attributes, s.events]));
      for (const value of Object.values(PERSONAL)) expect(text).not.toContain(value);
    } finally {
      await closeAll(api);
    }
  });

  it("puts the request's trace id on log lines written while scoring", async () => {
    // A Redis nobody listens on: the feature read and the decision store fail fast, and the service
    // logs the degradation inside the request's span.
    const port = await freePort();
    const redis = new Redis({
      port,
      host: "127.0.0.1",
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    redis.on("error", () => {});
    const { lines, logger } = captureLogs();
    const api = await compose(tracing, logger, redis);
    try {
      exporter.reset();
      const res = await api.app.inject({
        method: "POST",
        url: "/v1/score",
        headers: bearer(TOKENS.score),
        payload: body("trace-2"),
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().mode).toBe("degraded");
      await tracing.forceFlush();
      const root = exporter.getFinishedSpans().find((s) => s.name === "score");
      expect(root).toBeDefined();
      const traceId = root?.spanContext().traceId;
      const during = lines.filter((l) => l.trace_id !== undefined);
      expect(during.length).toBeGreaterThan(0);
      for (const l of during) expect(l.trace_id).toBe(traceId);
      // The degradation is logged by the scoring component, with the error's stack.
      const degraded = during.find((l) => l.msg === "scoring degraded");
      expect(degraded).toMatchObject({
        component: "scoring",
        err: { stack: expect.stringMatching(/\n\s+at /) },
      });
      // Lines outside any request (start-up) carry no trace fields.
      const outside = lines.filter((l) => l.trace_id === undefined);
      for (const l of outside) expect(l).not.toHaveProperty("span_id");
    } finally {
      await closeAll(api);
      redis.disconnect();
    }
  });

  it("feature-ingest records one ingest.batch span per batch", async () => {
    const h = new IngestHarness("tracing");
    await h.createTopics();
    const ingest = new FeatureIngest({
      kafka: h.kafka,
      store: h.store,
      topics: h.topics,
      groupId: h.groupId,
      logger: pino({ level: "silent" }),
      metrics: createIngestMetrics(new Registry()),
      admission: testAdmission(),
      ...INGEST_TUNING,
      span: tracing.span,
    });
    try {
      exporter.reset();
      await ingest.start();
      await h.produce([payment("trace-p1", T0), payment("trace-p2", T0 + 1)]);
      let batches: ReadableSpan[] = [];
      await waitFor(
        async () => {
          await tracing.forceFlush();
          batches = exporter.getFinishedSpans().filter((s) => s.name === "ingest.batch");
          return batches.reduce((n, s) => n + Number(s.attributes["messaging.batch.message_count"]), 0) >= 2;
        },
        { timeoutMs: 20_000, what: "ingest.batch spans for 2 messages" },
      );
      expect(batches[0]?.attributes["messaging.destination.name"]).toBe(h.topics.input.payments);
    } finally {
      await ingest.stop();
      await h.close();
    }
  });

  it("marks a failed span as an error and passes the failure through", async () => {
    exporter.reset();
    await expect(
      tracing.span("boom", async () => {
        throw new Error("nope");
      }),
    ).rejects.toThrow("nope");
    expect(() =>
      tracing.span("sync-boom", () => {
        throw new Error("sync nope");
      }),
    ).toThrow("sync nope");
    await tracing.forceFlush();
    const failed = exporter.getFinishedSpans().filter((s) => s.name === "boom" || s.name === "sync-boom");
    expect(failed.map((s) => s.status.code)).toEqual([2, 2]);
  });
});

describe("OTLP/HTTP export", () => {
  let server: Server;
  const received: { url: string; body: string }[] = [];
  let endpoint: string;
  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      let data = "";
      req.on("data", (c: Buffer) => {
        data += c.toString();
      });
      req.on("end", () => {
        received.push({ url: req.url ?? "", body: data });
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    const port = await freePort();
    await new Promise<void>((r) => server.listen(port, "127.0.0.1", () => r()));
    endpoint = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it("sends the spans to <endpoint>/v1/traces", async () => {
    const t = createTracing({ serviceName: "riskgate-feature-ingest", otlpEndpoint: endpoint });
    expect(t.enabled).toBe(true);
    await t.span("ingest.batch", async (s) => {
      s.setAttributes({ "messaging.batch.message_count": 3 });
    });
    await t.shutdown();
    expect(received.length).toBeGreaterThan(0);
    expect(received[0]?.url).toBe("/v1/traces");
    const all = received.map((r) => r.body).join("\n");
    expect(all).toContain("ingest.batch");
    expect(all).toContain("riskgate-feature-ingest");
  });
});
