import { EVENT_ADMISSION_CONFIG, eventAdmissionProblems } from "@riskgate/common/admission-config";
import {
  envInt,
  envList,
  envOneOf,
  envRedisUrl,
  envString,
  envUrl,
  LOG_LEVELS,
  loadEnv,
} from "@riskgate/common/env";
import { kafkaConnectionProblems, kafkaConnectionSchema } from "@riskgate/common/kafka-config";
import { DEFAULT_TOPIC_PREFIX } from "@riskgate/feature-store/events";
import { type Static, Type } from "@sinclair/typebox";

/**
 * The consumer's configuration: each property names its environment variable, default and range.
 * Every variable is documented in .env.example (a test keeps the two in step).
 */
export const IngestConfigSchema = Type.Object({
  /** Required: the consumer moves events from Kafka into Redis. */
  redisUrl: envRedisUrl("REDIS_URL"),
  redisKeyPrefix: envString("REDIS_KEY_PREFIX", "rg:"),
  kafkaBrokers: envList("KAFKA_BROKERS", 1),
  ...kafkaConnectionSchema,
  topicPrefix: envString("KAFKA_TOPIC_PREFIX", DEFAULT_TOPIC_PREFIX),
  groupId: envString("INGEST_GROUP_ID", "riskgate-feature-ingest"),
  commitIntervalMs: envInt("INGEST_COMMIT_INTERVAL_MS", 1_000, 0, 60_000),
  partitionsConcurrently: envInt("INGEST_PARTITIONS_CONCURRENTLY", 16, 1, 1_024),
  metricsPort: envInt("INGEST_METRICS_PORT", 9464, 0, 65_535),
  metricsHost: envString("INGEST_METRICS_HOST", "127.0.0.1"),
  logLevel: envOneOf("LOG_LEVEL", LOG_LEVELS, "info"),
  ...EVENT_ADMISSION_CONFIG,
  /** OTLP/HTTP base URL. Unset: no tracing. */
  otlpEndpoint: Type.Optional(envUrl("OTEL_EXPORTER_OTLP_ENDPOINT", ["http:", "https:"])),
});

export type IngestConfig = Readonly<Static<typeof IngestConfigSchema>>;

/** Parsed once in main.ts; throws a ConfigError listing every problem. */
export function loadIngestConfig(env: NodeJS.ProcessEnv): IngestConfig {
  return loadEnv(IngestConfigSchema, env, (values, problem) => {
    kafkaConnectionProblems(values, problem);
    for (const p of eventAdmissionProblems(values)) problem(p);
    return values;
  });
}
