import cluster from "node:cluster";
import { kafkaSecurityOptions, topicSettings } from "@riskgate/common/kafka-config";
import { ensureTopicsOn } from "@riskgate/common/kafka-topics";
import { guardKafkajsIdleTimers } from "@riskgate/common/kafkajs-idle-timer";
import { createLogger, type Logger } from "@riskgate/common/logger";
import { createMetricsRegistry } from "@riskgate/common/metrics";
import { startMetricsServer } from "@riskgate/common/metrics-server";
import { closeRedisClient, createRedisClient } from "@riskgate/common/redis-client";
import { runUntilShutdown, type StartUp } from "@riskgate/common/run-until-shutdown";
import type { Closer, SignalSource } from "@riskgate/common/shutdown";
import { createTracing } from "@riskgate/common/tracing";
import { topicNames } from "@riskgate/feature-store/events";
import { Kafka, logLevel } from "kafkajs";
import { generateKeys } from "./auth/api-keys.ts";
import { clusterMetrics, superviseWorkers } from "./cluster/workers.ts";
import { composeScoringApi } from "./compose.ts";
import { type ApiConfig, loadApiConfig } from "./config.ts";
import { type KafkaProducers, kafkaProducers } from "./kafka-producers.ts";
import { Listeners } from "./listeners.ts";
import { type BackgroundProducer, connectInBackground } from "./scoring/background-producer.ts";

// Composition root: reads configuration, creates connections, wires and listens; main.ts, which
// exits, runs it.

/**
 * Runs the scoring API (or, with SCORING_WORKERS > 1 in the primary, its workers) until a signal
 * from `signals` has shut it down; resolves with the exit code.
 */
export async function runScoringApi(signals: SignalSource): Promise<number> {
  const config = loadApiConfig(process.env);
  const logger = createLogger({ level: config.logLevel, service: "scoring-api" });

  if (cluster.isPrimary && config.scoringWorkers > 1) {
    // Every worker must accept the same keys: generated ones are made once, here.
    const env: Record<string, string> = {};
    if (config.apiKeys.length === 0) {
      const generated = generateKeys();
      printGeneratedKeys(config, generated.printable);
      env.RISKGATE_API_KEYS = Object.entries(generated.printable)
        .map(([scope, key]) => `${scope}:${key}`)
        .join(",");
    }
    logger.info({ workers: config.scoringWorkers }, "starting scoring workers");
    return superviseWorkers({ workers: config.scoringWorkers, logger, env, signals });
  }

  // A signal shuts down what exists, during start-up too (runUntilShutdown).
  const started: Started = { serving: [], resources: [] };
  return runUntilShutdown(
    logger,
    signals,
    () => [...started.serving, ...started.resources],
    (startUp) => {
      logger.info({ pid: process.pid }, "scoring-api starting");
      return start(config, logger, started, startUp);
    },
  );
}

/** What the start-up has opened, in closing order: what serves first, the connections after. */
interface Started {
  readonly serving: Closer[];
  readonly resources: Closer[];
}

/**
 * Opens, wires and listens, handing each resource to the shutdown once opened; after a signal it
 * stops at its next step.
 */
async function start(
  config: ApiConfig,
  logger: Logger,
  { serving, resources }: Started,
  { stopped, shutdownWithinMs }: StartUp,
): Promise<void> {
  const registry = createMetricsRegistry("scoring-api");
  // With SCORING_WORKERS > 1 every worker's /metrics serves the sum over all workers.
  const metricsText = clusterMetrics(registry);
  // OTLP traces when OTEL_EXPORTER_OTLP_ENDPOINT is set; registered globally here and only here.
  const tracing = createTracing({ serviceName: "riskgate-scoring-api", otlpEndpoint: config.otlpEndpoint });
  tracing.register();
  const tracingCloser: Closer = { name: "tracing", close: () => tracing.shutdown() };
  resources.push(tracingCloser);
  if (tracing.enabled && config.otlpEndpoint)
    logger.info({ collector: new URL(config.otlpEndpoint).origin }, "exporting traces (OTLP/HTTP)");

  let keys = config.apiKeys;
  if (keys.length === 0) {
    const generated = generateKeys();
    keys = generated.keys;
    printGeneratedKeys(config, generated.printable);
  }

  // Closed in this order, before tracing (the last).
  const connections: Closer[] = [];
  const redis = config.redisUrl
    ? createRedisClient(config.redisUrl, {
        commandTimeoutMs: config.redisCommandTimeoutMs,
        name: "riskgate-scoring-api",
      })
    : undefined;
  if (redis)
    connections.push({
      name: "redis",
      close: () => closeRedisClient(redis),
    });
  else
    logger.warn(
      "REDIS_URL is not set: features, decisions and review cases live in process memory (not for production)",
    );

  if (config.idHashKey === undefined)
    logger.warn(
      "ID_HASH_KEY is not set: identifiers are pseudonymised with the public development key (not for production)",
    );

  let producers: KafkaProducers | undefined;
  let kafkaLink: BackgroundProducer | undefined;
  if (config.kafkaBrokers.length > 0) {
    // Before any client connects: no 1 ms timer per idle broker connection (kafkajs-idle-timer.ts).
    guardKafkajsIdleTimers();
    const kafka = new Kafka({
      clientId: "riskgate-scoring-api",
      brokers: config.kafkaBrokers,
      logLevel: logLevel.WARN,
      retry: { retries: 2, initialRetryTime: 100 },
      ...kafkaSecurityOptions(config),
    });
    // Idempotent: decisions and labels written once when kafkajs retries a request (see the module);
    // labels on a producer of their own, never queued behind the decision log's sends.
    const p = kafkaProducers(kafka, { allowAutoTopicCreation: false });
    const topics = topicNames(config.topicPrefix);
    // Scoring never waits for Kafka: the service serves at once and decisions wait, bounded, until
    // the producers are connected.
    const link = connectInBackground(
      [p.decisions, p.review],
      () => ensureTopicsOn(kafka, [topics.decisions, topics.input.labels], topicSettings(config)),
      `Kafka at ${config.kafkaBrokers.join(",")} (decisions are buffered meanwhile)`,
      logger.child({ component: "kafka" }),
    );
    producers = p;
    kafkaLink = link;
    connections.push({ name: "kafka connect", close: () => link.close() });
    // After the review worker and the decision log (compose's closers), which send on them.
    connections.push({ name: "kafka producer (review)", close: () => p.review.disconnect() });
    connections.push({ name: "kafka producer (decisions)", close: () => p.decisions.disconnect() });
  } else {
    logger.warn("KAFKA_BROKERS is not set: decisions are not published (no training log)");
  }
  resources.unshift(...connections);
  if (stopped()) return;

  const composed = await composeScoringApi({
    config,
    logger,
    registry,
    keys,
    ...(redis ? { redis } : {}),
    ...(producers ? { producers } : {}),
    ...(kafkaLink ? { kafkaConnected: kafkaLink.connected } : {}),
    tracing,
    metricsText,
  });
  serving.push(...composed.closers);
  if (stopped()) return;
  const listeners = new Listeners(composed.app, config.httpAcceptSockets);
  // Before listen (the app is not ready yet): the extra sockets close with the app's own.
  listeners.closeWithApp();
  await listeners.listen(config.port, config.host);
  if (config.metricsPort !== undefined) {
    const metricsServer = await startMetricsServer(registry, config.metricsPort, config.metricsHost, {
      text: metricsText,
    });
    serving.push({ name: "metrics server", close: () => metricsServer.close() });
    logger.info(
      { port: metricsServer.port, host: config.metricsHost },
      "metrics listening on their own port",
    );
  }
  if (stopped()) return;
  logger.info(
    {
      champion: `${composed.router.champion.name}/${composed.router.champion.version}`,
      rulesVersion: composed.rules.version,
      featureStore: redis ? (redis.isCluster ? "redis-cluster" : "redis") : "memory",
      console: "/console/",
      // The orchestrator's grace period must exceed it (infra/k8s: terminationGracePeriodSeconds).
      shutdownWithinMs: shutdownWithinMs(),
    },
    "scoring-api ready",
  );
}

function printGeneratedKeys(config: ApiConfig, printable: Record<string, string>) {
  // Printed once to the terminal, never logged: the log pipeline is not a secret store.
  process.stdout.write(
    `\nRISKGATE_API_KEYS is not set; generated keys for this run only:\n` +
      Object.entries(printable)
        .map(([scope, key]) => `  ${scope.padEnd(6)} ${key}\n`)
        .join("") +
      `Use: curl -H 'Authorization: Bearer <key>' ..., or sign in to the console at ` +
      `http://${config.host}:${config.port}/console/ with the review or admin key.\n\n`,
  );
}
