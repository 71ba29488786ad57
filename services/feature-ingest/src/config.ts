import { EnvReader } from "@riskgate/common/env";
import { DEFAULT_TOPIC_PREFIX } from "@riskgate/feature-store/events";

export interface IngestConfig {
  readonly redisUrl: string;
  readonly redisKeyPrefix: string;
  readonly kafkaBrokers: string[];
  readonly topicPrefix: string;
  readonly groupId: string;
  readonly metricsPort: number;
  readonly metricsHost: string;
  readonly logLevel: string;
  /** OTEL_EXPORTER_OTLP_ENDPOINT (OTLP/HTTP base URL). Unset: no tracing. */
  readonly otlpEndpoint: string | undefined;
}

/** Parsed once in main.ts; every variable is documented in .env.example. */
export function loadIngestConfig(env: NodeJS.ProcessEnv): IngestConfig {
  const r = new EnvReader(env);
  const redisUrl = r.url("REDIS_URL", ["redis:", "rediss:"]);
  const kafkaBrokers = r.list("KAFKA_BROKERS");
  const config = {
    redisUrl: redisUrl ?? "",
    redisKeyPrefix: r.string("REDIS_KEY_PREFIX", "rg:"),
    kafkaBrokers,
    topicPrefix: r.string("KAFKA_TOPIC_PREFIX", DEFAULT_TOPIC_PREFIX),
    groupId: r.string("INGEST_GROUP_ID", "riskgate-feature-ingest"),
    metricsPort: r.int("INGEST_METRICS_PORT", 9464, 0, 65_535),
    metricsHost: r.string("INGEST_METRICS_HOST", "127.0.0.1"),
    logLevel: r.oneOf("LOG_LEVEL", ["fatal", "error", "warn", "info", "debug", "trace"], "info"),
    otlpEndpoint: r.url("OTEL_EXPORTER_OTLP_ENDPOINT", ["http:", "https:"]),
  };
  r.done();
  if (!redisUrl || kafkaBrokers.length === 0) {
    throw new Error(
      "feature-ingest needs REDIS_URL and KAFKA_BROKERS (it moves events from Kafka into Redis)",
    );
  }
  return config;
}
