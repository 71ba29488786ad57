import { createLogger } from "@riskgate/common/logger";
import { createMetricsRegistry } from "@riskgate/common/metrics";
import { createRedisClient } from "@riskgate/common/redis-client";
import { type Closer, onShutdownSignal } from "@riskgate/common/shutdown";
import { createTracing } from "@riskgate/common/tracing";
import { Kafka, logLevel } from "kafkajs";
import { generateKeys } from "./auth/api-keys.ts";
import { composeScoringApi } from "./compose.ts";
import { loadApiConfig } from "./config.ts";

// Composition root: the only place that reads configuration, creates connections and exits.
const config = loadApiConfig(process.env);
const logger = createLogger({ level: config.logLevel, service: "scoring-api" });
const registry = createMetricsRegistry("scoring-api");
const closers: Closer[] = [];
// OTLP traces when OTEL_EXPORTER_OTLP_ENDPOINT is set; registered globally here and only here.
const tracing = createTracing({ serviceName: "riskgate-scoring-api", otlpEndpoint: config.otlpEndpoint });
tracing.register();
if (tracing.enabled && config.otlpEndpoint)
  logger.info({ collector: new URL(config.otlpEndpoint).origin }, "exporting traces (OTLP/HTTP)");

let keys = config.apiKeys;
if (keys.length === 0) {
  const generated = generateKeys();
  keys = generated.keys;
  // Printed once to the terminal, never logged: the log pipeline is not a secret store.
  process.stdout.write(
    `\nRISKGATE_API_KEYS is not set; generated keys for this run only:\n` +
      Object.entries(generated.printable)
        .map(([scope, key]) => `  ${scope.padEnd(6)} ${key}\n`)
        .join("") +
      `Use: curl -H 'Authorization: Bearer <key>' ...\n\n`,
  );
}

const redis = config.redisUrl
  ? createRedisClient(config.redisUrl, {
      commandTimeoutMs: config.redisCommandTimeoutMs,
      name: "riskgate-scoring-api",
    })
  : undefined;
if (redis) closers.push({ name: "redis", close: async () => void (await redis.quit()) });
else
  logger.warn(
    "REDIS_URL is not set: features, decisions and review cases live in process memory (not for production)",
  );

let producer: ReturnType<Kafka["producer"]> | undefined;
if (config.kafkaBrokers.length > 0) {
  const kafka = new Kafka({
    clientId: "riskgate-scoring-api",
    brokers: config.kafkaBrokers,
    logLevel: logLevel.WARN,
    retry: { retries: 2, initialRetryTime: 100 },
  });
  const p = kafka.producer({ allowAutoTopicCreation: true });
  await p.connect();
  producer = p;
  closers.push({ name: "kafka producer", close: () => p.disconnect() });
} else {
  logger.warn("KAFKA_BROKERS is not set: decisions are not published (no training log)");
}

const composed = await composeScoringApi({
  config,
  logger,
  registry,
  keys,
  ...(redis ? { redis } : {}),
  ...(producer ? { producer } : {}),
  tracing,
});
await composed.app.listen({ port: config.port, host: config.host });
logger.info(
  {
    champion: `${composed.router.champion.name}/${composed.router.champion.version}`,
    rulesVersion: composed.rules.version,
    featureStore: redis ? "redis" : "memory",
  },
  "scoring-api ready",
);

process.exit(
  await onShutdownSignal(logger.child({ component: "shutdown" }), [
    ...composed.closers,
    ...closers,
    { name: "tracing", close: () => tracing.shutdown() },
  ]),
);
