import { kafkaSecurityOptions, topicSettings } from "@riskgate/common/kafka-config";
import { DEFAULT_BACKOFF, ensureTopicsOn, retryWithBackoff } from "@riskgate/common/kafka-topics";
import { guardKafkajsIdleTimers } from "@riskgate/common/kafkajs-idle-timer";
import { createLogger, type Logger } from "@riskgate/common/logger";
import { createMetricsRegistry } from "@riskgate/common/metrics";
import { startMetricsServer } from "@riskgate/common/metrics-server";
import { closeRedisClient, createRedisClient } from "@riskgate/common/redis-client";
import { runUntilShutdown, type StartUp } from "@riskgate/common/run-until-shutdown";
import type { Closer, SignalSource } from "@riskgate/common/shutdown";
import { createTracing } from "@riskgate/common/tracing";
import { pseudonymiserFor, topicNames } from "@riskgate/feature-store/events";
import { RedisStore } from "@riskgate/feature-store/online";
import { Kafka, logLevel } from "kafkajs";
import { type IngestConfig, loadIngestConfig } from "./config.ts";
import { FeatureIngest } from "./consumer.ts";
import { createIngestMetrics } from "./ingest-metrics.ts";

// Composition root: reads configuration, creates connections, wires and consumes; main.ts, which
// exits, runs it.

/** Runs feature-ingest until a signal from `signals` has shut it down; resolves with the exit code. */
export async function runFeatureIngest(signals: SignalSource): Promise<number> {
  const config = loadIngestConfig(process.env);
  const logger = createLogger({ level: config.logLevel, service: "feature-ingest" });
  // A signal shuts down what exists, during start-up too (runUntilShutdown).
  const started: Started = { consuming: [], connections: [] };
  return runUntilShutdown(
    logger,
    signals,
    () => [...started.consuming, ...started.connections],
    (startUp) => {
      logger.info({ pid: process.pid }, "feature-ingest starting");
      return start(config, logger, started, startUp);
    },
  );
}

/**
 * What the start-up has opened, in closing order: the consumer (it commits and leaves its group)
 * and its probes' server first, the connections after.
 */
interface Started {
  readonly consuming: Closer[];
  readonly connections: Closer[];
}

/**
 * Opens, wires and consumes, handing each resource to the shutdown once opened; after a signal it
 * stops at its next step: the wait for Kafka ends at once, an attempt in flight gives up at its next
 * step, and one still joining the group is waited for so it can leave (FeatureIngest.stop).
 */
async function start(
  config: IngestConfig,
  logger: Logger,
  { consuming, connections }: Started,
  { stopped, signal, shutdownWithinMs }: StartUp,
): Promise<void> {
  const registry = createMetricsRegistry("feature-ingest");
  const metrics = createIngestMetrics(registry);
  // OTLP traces (a span per batch) when OTEL_EXPORTER_OTLP_ENDPOINT is set; registered globally here only.
  const tracing = createTracing({
    serviceName: "riskgate-feature-ingest",
    otlpEndpoint: config.otlpEndpoint,
  });
  tracing.register();
  connections.push({ name: "tracing", close: () => tracing.shutdown() });
  // Writes are off the scoring path: a longer timeout rides out a slow Redis instead of re-delivering.
  const redis = createRedisClient(config.redisUrl, { commandTimeoutMs: 2_000, name: "riskgate-ingest" });
  // Closed before tracing (the last).
  connections.unshift({ name: "redis", close: () => closeRedisClient(redis) });
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
  consuming.push({ name: "kafka consumer", close: () => ingest.stop() });

  const metricsServer = await startMetricsServer(registry, config.metricsPort, config.metricsHost, {
    ready: () => ingest.ready,
  });
  consuming.push({ name: "metrics server", close: () => metricsServer.close() });
  logger.info({ port: metricsServer.port, host: config.metricsHost }, "metrics listening");
  if (stopped()) return;
  // The orchestrator's grace period must exceed it (infra/k8s: terminationGracePeriodSeconds).
  logger.info({ shutdownWithinMs: shutdownWithinMs() }, "shutdown takes at most shutdownWithinMs");

  const kafkaLog = logger.child({ component: "kafka" });
  await retryWithBackoff(
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
    { ...DEFAULT_BACKOFF, signal },
  );
  logger.info({ topics: topics.input, groupId: config.groupId }, "consuming");
}
