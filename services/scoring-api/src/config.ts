import { EVENT_ADMISSION_CONFIG, eventAdmissionProblems } from "@riskgate/common/admission-config";
import {
  envInt,
  envList,
  envNumber,
  envOneOf,
  envRedisUrl,
  envString,
  envText,
  envUrl,
  LOG_LEVELS,
  loadEnv,
} from "@riskgate/common/env";
import { kafkaConnectionProblems, kafkaConnectionSchema } from "@riskgate/common/kafka-config";
import { DEFAULT_TOPIC_PREFIX } from "@riskgate/feature-store/events";
import { DEFAULT_MAX_ENTITIES } from "@riskgate/feature-store/online";
import { type Static, Type } from "@sinclair/typebox";
import { type ApiKey, parseApiKeys } from "./auth/api-keys.ts";

/**
 * The scoring API's configuration: each property names its environment variable, default and range.
 * Every variable is documented in .env.example (a test keeps the two in step).
 */
export const ApiConfigSchema = Type.Object({
  port: envInt("PORT", 8080, 0, 65_535),
  /** Processes serving the port (node:cluster); 1: this process serves it alone. */
  scoringWorkers: envInt("SCORING_WORKERS", 1, 1, 64),
  host: envString("HOST", "127.0.0.1"),
  /** Set: /metrics is served on this port only (not on PORT), for deployments that keep it private. */
  metricsPort: Type.Optional(Type.Integer({ env: "METRICS_PORT", minimum: 0, maximum: 65_535 })),
  metricsHost: envString("METRICS_HOST", "127.0.0.1"),
  /** Unset: the embedded in-memory feature store, decision store and review queue. */
  redisUrl: Type.Optional(envRedisUrl("REDIS_URL")),
  redisKeyPrefix: envString("REDIS_KEY_PREFIX", "rg:"),
  /** Without REDIS_URL: entities the in-memory feature store holds; past it the least recently written goes. */
  memoryStoreMaxEntities: envInt("MEMORY_STORE_MAX_ENTITIES", DEFAULT_MAX_ENTITIES, 1_000, 100_000_000),
  redisCommandTimeoutMs: envInt("REDIS_COMMAND_TIMEOUT_MS", 50, 1, 10_000),
  /**
   * Budget for the whole feature read; past it the checkout is scored in degraded mode. Also the
   * budget of the feature routes' store calls, which answer 503 past it (routes/feature-store-call.ts).
   */
  featureTimeoutMs: envInt("FEATURE_TIMEOUT_MS", 40, 1, 10_000),
  /** Inference slower than this counts as a model failure for its circuit breaker. */
  modelTimeoutMs: envInt("MODEL_TIMEOUT_MS", 25, 1, 10_000),
  /** Circuit breakers (Redis, each deciding model): see resilience/README.md. */
  breakerFailureThreshold: envInt("BREAKER_FAILURE_THRESHOLD", 5, 1, 10_000),
  breakerFailureRate: envNumber("BREAKER_FAILURE_RATE", 0.5, 0.01, 1),
  breakerWindow: envInt("BREAKER_WINDOW", 20, 0, 10_000),
  breakerCooldownMs: envInt("BREAKER_COOLDOWN_MS", 1_000, 1, 600_000),
  breakerMinFailureSpanMs: envInt("BREAKER_MIN_FAILURE_SPAN_MS", 50, 0, 60_000),
  /** A Redis timeout whose timer ran this much past its deadline is not counted; 0 counts all. */
  breakerLateTimeoutMs: envInt("BREAKER_LATE_TIMEOUT_MS", 5, 0, 60_000),
  /** Empty: decisions are not published (no training log). */
  kafkaBrokers: envList("KAFKA_BROKERS"),
  ...kafkaConnectionSchema,
  topicPrefix: envString("KAFKA_TOPIC_PREFIX", DEFAULT_TOPIC_PREFIX),
  decisionBufferMax: envInt("DECISION_BUFFER_MAX", 10_000, 1, 1_000_000),
  /** Unset: the model named by models/artifacts/champion.json. */
  modelDir: Type.Optional(envText("MODEL_DIR")),
  championPointer: envString("MODEL_CHAMPION_POINTER", "models/artifacts/champion.json"),
  canaryModelDir: Type.Optional(envText("CANARY_MODEL_DIR")),
  canaryPercent: envNumber("CANARY_PERCENT", 0, 0, 100),
  shadowModelDirs: envList("SHADOW_MODEL_DIRS"),
  /** Overrides of the deciding model's cost model (manifest `policy`), in EUR. Unset: the manifest's. */
  chargebackFeeEur: Type.Optional(envNumber("CHARGEBACK_FEE_EUR", undefined, 0, 1_000_000)),
  reviewCostEur: Type.Optional(envNumber("REVIEW_COST_EUR", undefined, 0, 1_000_000)),
  declineCostEur: Type.Optional(envNumber("DECLINE_COST_EUR", undefined, 0.01, 1_000_000)),
  reviewMinExpectedLossEur: Type.Optional(envNumber("REVIEW_MIN_EXPECTED_LOSS_EUR", undefined, 0, 1_000_000)),
  /** Unset: the capacity the model's policy was fitted to (its manifest). */
  reviewCapacityPerDay: Type.Optional(envNumber("REVIEW_CAPACITY_PER_DAY", undefined, 0, 10_000_000)),
  /** Past the day's capacity: ranked by expected loss (default), or an operator's blanket override. */
  reviewOverflowAction: envOneOf(
    "REVIEW_OVERFLOW_ACTION",
    ["expected_loss", "allow", "block"],
    "expected_loss",
  ),
  /** Share (0-1) of would-be allows sent to review at random, for labels from allowed traffic. */
  explorationShare: envNumber("EXPLORATION_SHARE", 0, 0, 1),
  /** Sliding window of the drift metrics (default share and PSI per feature; score PSI). */
  driftWindowMinutes: envInt("DRIFT_WINDOW_MINUTES", 60, 1, 24 * 60),
  reviewSlaMinutes: envInt("REVIEW_SLA_MINUTES", 240, 1, 60 * 24 * 30),
  /** How long a claim holds a review case before another reviewer may take it. */
  reviewLeaseSeconds: envInt("REVIEW_LEASE_SECONDS", 300, 1, 86_400),
  /** How often each replica sweeps for review cases past their SLA deadline. */
  reviewSlaSweepMs: envInt("REVIEW_SLA_SWEEP_MS", 10_000, 50, 3_600_000),
  /** What an overdue case's held booking gets: allow (release) or block (cancel). */
  reviewSlaDefaultAction: envOneOf("REVIEW_SLA_DEFAULT_ACTION", ["allow", "block"], "allow"),
  reasonsFromModel: envInt("REASONS_FROM_MODEL", 3, 0, 20),
  /**
   * Degraded decisions (stored features or the model unavailable: no score to weigh) by amount in
   * EUR: review from this amount, block from the next; below, the rules alone decide.
   */
  degradedReviewAboveEur: envNumber("DEGRADED_REVIEW_ABOVE_EUR", 500, 0, 1_000_000),
  degradedBlockAboveEur: envNumber("DEGRADED_BLOCK_ABOVE_EUR", 3_000, 0, 1_000_000),
  rulesFile: envString("RULES_FILE", "services/scoring-api/rules/default.yaml"),
  /** Parsed by auth/api-keys.ts into `apiKeys`. Empty: keys are generated at start and printed once. */
  apiKeys: envString("RISKGATE_API_KEYS", ""),
  decisionTtlDays: envInt("DECISION_TTL_DAYS", 7, 1, 365),
  /** How often each replica reads the kill-switch version (fallback to pub/sub). */
  killSwitchPollMs: envInt("KILL_SWITCH_POLL_MS", 250, 50, 900),
  /**
   * The global kill-switch of a replica that starts while the kill-switch store (Redis) cannot be
   * read: engaged (rules only until the store answers; an operator's engaged switch is never lifted
   * by an outage) or released (the model serves; the pre-2026-12 behaviour).
   */
  killSwitchDefault: envOneOf("KILL_SWITCH_DEFAULT", ["engaged", "released"], "engaged"),
  /** Cap (approximate, MAXLEN ~) of the kill-switch audit stream. */
  killSwitchAuditMaxEntries: envInt("KILL_SWITCH_AUDIT_MAX_ENTRIES", 100_000, 1_000, 10_000_000),
  /** Admission control on POST /v1/score (resilience/admission.ts): degrade, then shed. */
  admissionDegradeInFlight: envInt("ADMISSION_DEGRADE_IN_FLIGHT", 200, 1, 1_000_000),
  admissionShedInFlight: envInt("ADMISSION_SHED_IN_FLIGHT", 800, 1, 1_000_000),
  admissionDegradeLagMs: envInt("ADMISSION_DEGRADE_LAG_MS", 30, 1, 60_000),
  admissionShedLagMs: envInt("ADMISSION_SHED_LAG_MS", 30, 1, 60_000),
  admissionProbeIntervalMs: envInt("ADMISSION_PROBE_INTERVAL_MS", 10, 1, 1_000),
  /** After a bound was last reached, checkouts below every bound are still degraded this long. */
  admissionDegradeHoldMs: envInt("ADMISSION_DEGRADE_HOLD_MS", 1_000, 0, 60_000),
  /** A full checkout this slow starts the same hold (its Redis round trips queued). */
  admissionDegradeSlowMs: envInt("ADMISSION_DEGRADE_SLOW_MS", 150, 1, 60_000),
  /** Retry-After of a 503 `overloaded` or `features_unavailable`. */
  admissionRetryAfterSeconds: envInt("ADMISSION_RETRY_AFTER_SECONDS", 1, 1, 3_600),
  /**
   * Listening sockets on PORT (SO_REUSEPORT, Linux, single process): a loop that is behind accepts
   * one connection per socket per turn (listeners.ts).
   */
  httpAcceptSockets: envInt("HTTP_ACCEPT_SOCKETS", 64, 1, 256),
  bodyLimitBytes: envInt("BODY_LIMIT_BYTES", 64 * 1024, 1024, 10 * 1024 * 1024),
  /**
   * From the first SIGTERM: /readyz answers 503 `shutting_down` and every route keeps serving for
   * this long before the listener closes (drain.ts), so a load balancer stops sending first. 0: no
   * balancer in front (npm start, the dev stack, tests); the container image sets 5,000.
   */
  shutdownDrainMs: envInt("SHUTDOWN_DRAIN_MS", 0, 0, 120_000),
  /** After the listener closes, how long requests already received may take before their connections are cut. */
  shutdownInFlightMs: envInt("SHUTDOWN_IN_FLIGHT_MS", 5_000, 1, 60_000),
  ...EVENT_ADMISSION_CONFIG,
  logLevel: envOneOf("LOG_LEVEL", LOG_LEVELS, "info"),
  /** OTLP/HTTP base URL. Unset: no tracing. */
  otlpEndpoint: Type.Optional(envUrl("OTEL_EXPORTER_OTLP_ENDPOINT", ["http:", "https:"])),
});

export type ApiConfig = Readonly<Omit<Static<typeof ApiConfigSchema>, "apiKeys"> & { apiKeys: ApiKey[] }>;

/** Parsed once in run.ts; throws a ConfigError listing every problem. */
export function loadApiConfig(env: NodeJS.ProcessEnv): ApiConfig {
  return loadEnv(ApiConfigSchema, env, (values, problem) => {
    kafkaConnectionProblems(values, problem);
    const keys = parseApiKeys(values.apiKeys);
    for (const p of keys.problems) problem(p);
    if (values.degradedBlockAboveEur < values.degradedReviewAboveEur)
      problem("DEGRADED_BLOCK_ABOVE_EUR is below DEGRADED_REVIEW_ABOVE_EUR");
    if (values.admissionShedInFlight < values.admissionDegradeInFlight)
      problem("ADMISSION_SHED_IN_FLIGHT is below ADMISSION_DEGRADE_IN_FLIGHT");
    if (values.admissionShedLagMs < values.admissionDegradeLagMs)
      problem("ADMISSION_SHED_LAG_MS is below ADMISSION_DEGRADE_LAG_MS");
    for (const p of eventAdmissionProblems(values)) problem(p);
    if (values.canaryPercent > 0 && !values.canaryModelDir)
      problem("CANARY_PERCENT is set but CANARY_MODEL_DIR is not");
    // Without Redis every state lives in process memory, so each worker would have its own: a
    // kill-switch engaged on one worker only, a review queue and budget per worker (the console
    // showing whichever worker answered), velocity features that see a share of the traffic.
    if (values.scoringWorkers > 1 && !values.redisUrl)
      problem(
        `SCORING_WORKERS=${values.scoringWorkers} needs REDIS_URL: without it each worker keeps its own kill-switch, review queue, review budget and features`,
      );
    return { ...values, apiKeys: keys.keys };
  });
}
