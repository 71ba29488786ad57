import { createServer } from "node:http";
import { createLogger } from "@riskgate/common/logger";
import { createMetricsRegistry } from "@riskgate/common/metrics";
import { createRedisClient } from "@riskgate/common/redis-client";
import { onShutdownSignal } from "@riskgate/common/shutdown";
import { createTracing } from "@riskgate/common/tracing";
import { topicNames } from "@riskgate/feature-store/events";
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
const kafka = new Kafka({
  clientId: "riskgate-feature-ingest",
  brokers: config.kafkaBrokers,
  logLevel: logLevel.WARN,
});
const ingest = new FeatureIngest({
  kafka,
  store,
  topics: topicNames(config.topicPrefix),
  groupId: config.groupId,
  logger: logger.child({ component: "consumer" }),
  metrics,
  ...(tracing.enabled ? { span: tracing.span } : {}),
});

const metricsServer = createServer(async (req, res) => {
  if (req.url === "/metrics") {
    res.setHeader("content-type", registry.contentType);
    res.end(await registry.metrics());
    return;
  }
  res.statusCode = req.url === "/healthz" ? 200 : 404;
  res.end();
});
metricsServer.listen(config.metricsPort, config.metricsHost, () =>
  logger.info({ port: config.metricsPort, host: config.metricsHost }, "metrics listening"),
);

await ingest.start();
logger.info({ topics: topicNames(config.topicPrefix).input, groupId: config.groupId }, "consuming");

const code = await onShutdownSignal(logger.child({ component: "shutdown" }), [
  { name: "kafka consumer", close: () => ingest.stop() },
  { name: "metrics server", close: () => new Promise((r) => metricsServer.close(() => r())) },
  { name: "redis", close: async () => void (await redis.quit()) },
  { name: "tracing", close: () => tracing.shutdown() },
]);
process.exit(code);
