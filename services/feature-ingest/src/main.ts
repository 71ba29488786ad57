import { kafkaSecurityOptions, topicSettings } from "@riskgate/common/kafka-config";
import { DEFAULT_BACKOFF, ensureTopicsOn, retryWithBackoff } from "@riskgate/common/kafka-topics";
import { guardKafkajsIdleTimers } from "@riskgate/common/kafkajs-idle-timer";
import { createLogger } from "@riskgate/common/logger";
import { createMetricsRegistry } from "@riskgate/common/metrics";
import { startMetricsServer } from "@riskgate/common/metrics-server";
import { createRedisClient } from "@riskgate/common/redis-client";
import { type Closer, onShutdownSignal, shutdownDeadlineMs } from "@riskgate/common/shutdown";
import { createTracing } from "@riskgate/common/tracing";
import { pseudonymiserFor, topicNames } from "@riskgate/feature-store/events";
import { RedisStore } from "@riskgate/feature-store/online";
import { Kafka, logLevel } from "kafkajs";
import { loadIngestConfig } from "./config.ts";
import { FeatureIngest } from "./consumer.ts";
import { createIngestMetrics } from "./ingest-metrics.ts";

// Composition root: the only place that reads configuration, creates connections and exits.
const config = loadIngestConfig(process.env);
const logger = createLogger({ level: config.logLevel, service: "feature-ingest" });
const registry = createMetricsRegistry("feature-ingest");
const metrics = createIngestMetrics(registry);
// OTLP traces (a span per batch) when OTEL_EXPORTER_OTLP_ENDPOINT is set; registered globally here only.
const tracing = createTracing({ serviceName: "riskgate-feature-ingest", otlpEndpoint: config.otlpEndpoint });
tracing.register();
// Writes are off the scoring path: a longer timeout rides out a slow Redis instead of re-delivering.
const redis = createRedisClient(config.redisUrl, { commandTimeoutMs: 2_000, name: "riskgate-ingest" });
const store = new RedisStore(redis, { keyPrefix: config.redisKeyPrefix });
// Before any client connects: no 1 ms timer per idle broker connection (kafkajs-idle-timer.ts).
guardKafkajsIdleTimers();
const kafka = new Kafka({
  clientId: "riskgate-feature-ingest",
  brokers: config.kafkaBrokers,
  logLevel: logLevel.WARN,
  // A few seconds of kafkajs retries per attempt; beyond that the start-up backoff (and its log line)
  // or the consumer's restart-on-crash takes over.
  retry: { initialRetryTime: 250, maxRetryTime: 5_000, retries: 4 },
  ...kafkaSecurityOptions(config),
});
const topics = topicNames(config.topicPrefix);
if (config.idHashKey === undefined)
  logger.warn(
    "ID_HASH_KEY is not set: identifiers are pseudonymised with the public development key (not for production)",
  );
const ingest = new FeatureIngest({
  kafka,
  store,
  topics,
  groupId: config.groupId,
  commitIntervalMs: config.commitIntervalMs,
  partitionsConcurrently: config.partitionsConcurrently,
  logger: logger.child({ component: "consumer" }),
  metrics,
  admission: {
    pseudonymiser: pseudonymiserFor(config).pseudonymiser,
    maxClockSkewMs: config.maxClockSkewMs,
    now: Date.now,
  },
  ...(tracing.enabled ? { span: tracing.span } : {}),
});

const metricsServer = await startMetricsServer(registry, config.metricsPort, config.metricsHost, {
  ready: () => ingest.ready,
});
logger.info({ port: metricsServer.port, host: config.metricsHost }, "metrics listening");

// A signal during start-up (broker still away) ends the waiting and shuts down what exists; an attempt
// in flight gives up at its next step, and one still joining the group is waited for so it can leave.
const starting = new AbortController();
const closers: Closer[] = [
  { name: "start-up", close: async () => starting.abort(new Error("shutting down")) },
  { name: "kafka consumer", close: () => ingest.stop() },
  { name: "metrics server", close: () => metricsServer.close() },
  { name: "redis", close: async () => void (await redis.quit()) },
  { name: "tracing", close: () => tracing.shutdown() },
];
const shutdown = onShutdownSignal(logger.child({ component: "shutdown" }), closers);
// The orchestrator's grace period must exceed it (infra/k8s: terminationGracePeriodSeconds).
logger.info({ shutdownWithinMs: shutdownDeadlineMs(closers) }, "shutdown takes at most shutdownWithinMs");

const kafkaLog = logger.child({ component: "kafka" });
const started = retryWithBackoff(
  async () => {
    const created = await ensureTopicsOn(
      kafka,
      [...Object.values(topics.input), topics.deadLetter],
      topicSettings(config),
    );
    if (created.length > 0) kafkaLog.info({ created }, "created Kafka topics");
    await ingest.start();
  },
  `Kafka at ${config.kafkaBrokers.join(",")} (broker reachable, topics ready)`,
  kafkaLog,
  { ...DEFAULT_BACKOFF, signal: starting.signal },
);
started.then(
  () => logger.info({ topics: topics.input, groupId: config.groupId }, "consuming"),
  () => {}, // only a shutdown during start-up rejects it
);

process.exit(await shutdown);
