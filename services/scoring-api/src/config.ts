import { EnvReader } from "@riskgate/common/env";
import { DEFAULT_TOPIC_PREFIX } from "@riskgate/feature-store/events";
import { type ApiKey, parseApiKeys } from "./auth/api-keys.ts";

export interface ApiConfig {
  readonly port: number;
  readonly host: string;
  /** Unset: the embedded in-memory feature store, decision store and review queue. */
  readonly redisUrl: string | undefined;
  readonly redisKeyPrefix: string;
  readonly redisCommandTimeoutMs: number;
  /** Budget for the whole feature read; past it the checkout is scored in degraded mode. */
  readonly featureTimeoutMs: number;
  /** Inference slower than this counts as a model failure for its circuit breaker. */
  readonly modelTimeoutMs: number;
  /** Circuit breakers (Redis, each deciding model): see resilience/README.md. */
  readonly breakerFailureThreshold: number;
  readonly breakerFailureRate: number;
  readonly breakerWindow: number;
  readonly breakerCooldownMs: number;
  readonly breakerMinFailureSpanMs: number;
  /** Unset: decisions are not published (no training log). */
  readonly kafkaBrokers: string[];
  readonly topicPrefix: string;
  readonly decisionBufferMax: number;
  /** Unset: the model named by models/artifacts/champion.json. */
  readonly modelDir: string | undefined;
  readonly championPointer: string;
  readonly canaryModelDir: string | undefined;
  readonly canaryPercent: number;
  readonly shadowModelDirs: string[];
  readonly reviewThreshold: number | undefined;
  readonly blockThreshold: number | undefined;
  /** Unset: the capacity the model's thresholds were chosen for (its manifest). */
  readonly reviewCapacityPerDay: number | undefined;
  readonly reviewOverflowAction: "allow" | "block";
  readonly reviewSlaMinutes: number;
  /** How long a claim holds a review case before another reviewer may take it. */
  readonly reviewLeaseSeconds: number;
  /** How often each replica sweeps for review cases past their SLA deadline. */
  readonly reviewSlaSweepMs: number;
  /** What an overdue case's held booking gets: allow (release) or block (cancel). */
  readonly reviewSlaDefaultAction: "allow" | "block";
  readonly reasonsFromModel: number;
  readonly rulesFile: string;
  /** Empty: keys are generated at start and printed once. */
  readonly apiKeys: ApiKey[];
  readonly decisionTtlDays: number;
  /** How often each replica reads the kill-switch version (fallback to pub/sub). */
  readonly killSwitchPollMs: number;
  /** Cap (approximate, MAXLEN ~) of the kill-switch audit stream. */
  readonly killSwitchAuditMaxEntries: number;
  readonly bodyLimitBytes: number;
  readonly logLevel: string;
  /** OTEL_EXPORTER_OTLP_ENDPOINT (OTLP/HTTP base URL). Unset: no tracing. */
  readonly otlpEndpoint: string | undefined;
}

/** Parsed once in main.ts; every variable is documented in .env.example. */
export function loadApiConfig(env: NodeJS.ProcessEnv): ApiConfig {
  const r = new EnvReader(env);
  const keys = parseApiKeys(r.string("RISKGATE_API_KEYS", ""));
  for (const p of keys.problems) r.problem(p);
  const config: ApiConfig = {
    port: r.int("PORT", 8080, 0, 65_535),
    host: r.string("HOST", "127.0.0.1"),
    redisUrl: r.url("REDIS_URL", ["redis:", "rediss:"]),
    redisKeyPrefix: r.string("REDIS_KEY_PREFIX", "rg:"),
    redisCommandTimeoutMs: r.int("REDIS_COMMAND_TIMEOUT_MS", 50, 1, 10_000),
    featureTimeoutMs: r.int("FEATURE_TIMEOUT_MS", 40, 1, 10_000),
    modelTimeoutMs: r.int("MODEL_TIMEOUT_MS", 25, 1, 10_000),
    breakerFailureThreshold: r.int("BREAKER_FAILURE_THRESHOLD", 5, 1, 10_000),
    breakerFailureRate: r.number("BREAKER_FAILURE_RATE", 0.5, 0.01, 1),
    breakerWindow: r.int("BREAKER_WINDOW", 20, 0, 10_000),
    breakerCooldownMs: r.int("BREAKER_COOLDOWN_MS", 1_000, 1, 600_000),
    breakerMinFailureSpanMs: r.int("BREAKER_MIN_FAILURE_SPAN_MS", 50, 0, 60_000),
    kafkaBrokers: r.list("KAFKA_BROKERS"),
    topicPrefix: r.string("KAFKA_TOPIC_PREFIX", DEFAULT_TOPIC_PREFIX),
    decisionBufferMax: r.int("DECISION_BUFFER_MAX", 10_000, 1, 1_000_000),
    modelDir: r.optional("MODEL_DIR"),
    championPointer: r.string("MODEL_CHAMPION_POINTER", "models/artifacts/champion.json"),
    canaryModelDir: r.optional("CANARY_MODEL_DIR"),
    canaryPercent: r.number("CANARY_PERCENT", 0, 0, 100),
    shadowModelDirs: r.list("SHADOW_MODEL_DIRS"),
    reviewThreshold: r.optionalNumber("REVIEW_THRESHOLD", 0, 1),
    blockThreshold: r.optionalNumber("BLOCK_THRESHOLD", 0, 1),
    reviewCapacityPerDay: r.optionalNumber("REVIEW_CAPACITY_PER_DAY", 0, 10_000_000),
    reviewOverflowAction: r.oneOf("REVIEW_OVERFLOW_ACTION", ["allow", "block"], "allow"),
    reviewSlaMinutes: r.int("REVIEW_SLA_MINUTES", 240, 1, 60 * 24 * 30),
    reviewLeaseSeconds: r.int("REVIEW_LEASE_SECONDS", 300, 1, 86_400),
    reviewSlaSweepMs: r.int("REVIEW_SLA_SWEEP_MS", 10_000, 50, 3_600_000),
    reviewSlaDefaultAction: r.oneOf("REVIEW_SLA_DEFAULT_ACTION", ["allow", "block"], "allow"),
    reasonsFromModel: r.int("REASONS_FROM_MODEL", 3, 0, 20),
    rulesFile: r.string("RULES_FILE", "services/scoring-api/rules/default.yaml"),
    apiKeys: keys.keys,
    decisionTtlDays: r.int("DECISION_TTL_DAYS", 7, 1, 365),
    killSwitchPollMs: r.int("KILL_SWITCH_POLL_MS", 250, 50, 900),
    killSwitchAuditMaxEntries: r.int("KILL_SWITCH_AUDIT_MAX_ENTRIES", 100_000, 1_000, 10_000_000),
    bodyLimitBytes: r.int("BODY_LIMIT_BYTES", 64 * 1024, 1024, 10 * 1024 * 1024),
    logLevel: r.oneOf("LOG_LEVEL", ["fatal", "error", "warn", "info", "debug", "trace"], "info"),
    otlpEndpoint: r.url("OTEL_EXPORTER_OTLP_ENDPOINT", ["http:", "https:"]),
  };
  if (config.canaryPercent > 0 && !config.canaryModelDir)
    r.problem("CANARY_PERCENT is set but CANARY_MODEL_DIR is not");
  if (
    config.reviewThreshold !== undefined &&
    config.blockThreshold !== undefined &&
    config.reviewThreshold > config.blockThreshold
  ) {
    r.problem("REVIEW_THRESHOLD must not exceed BLOCK_THRESHOLD");
  }
  r.done();
  return config;
}
