import type { Logger } from "@riskgate/common/logger";
import type { RedisClient } from "@riskgate/common/redis-client";
import type { Closer } from "@riskgate/common/shutdown";
import type { Tracing } from "@riskgate/common/tracing";
import { FEATURES, FeatureSet } from "@riskgate/feature-store/definitions";
import { type Checkout, pseudonymiserFor, topicNames } from "@riskgate/feature-store/events";
import type { EventUpdate, OnlineStore } from "@riskgate/feature-store/online";
import {
  MemoryStore,
  RedisStore,
  readAndCountCheckout,
  readCheckoutFeatures,
} from "@riskgate/feature-store/online";
import type { FastifyInstance } from "fastify";
import type { Registry } from "prom-client";
import { buildApp } from "./app.ts";
import type { ApiKey } from "./auth/api-keys.ts";
import type { ApiConfig } from "./config.ts";
import { composeConsole } from "./console/compose-console.ts";
import { Drain, drainClosers } from "./drain.ts";
import type { KafkaProducers } from "./kafka-producers.ts";
import { type KillSwitch, startKillSwitch } from "./killswitch/index.ts";
import { createApiMetrics } from "./metrics.ts";
import { championDir } from "./model/champion.ts";
import { LoadedModel } from "./model/loaded-model.ts";
import { ModelRouter } from "./model/model-router.ts";
import type { LagProbe } from "./resilience/admission.ts";
import { composeAdmission } from "./resilience/compose-admission.ts";
import { createResilience } from "./resilience/wiring.ts";
import { composeReview } from "./review/compose-review.ts";
import { MemoryReviewBudget, RedisReviewBudget } from "./review/review-budget.ts";
import { MemoryReviewQueue } from "./review/review-queue-memory.ts";
import { RedisReviewQueue } from "./review/review-queue-redis.ts";
import { pseudonymiseIdentifierLists } from "./rules/identifier-lists.ts";
import { RulesWatcher } from "./rules/index.ts";
import { composeDecisionLog } from "./scoring/compose-decision-log.ts";
import { composeScoring } from "./scoring/compose-scoring.ts";
import type { DecisionLog } from "./scoring/decision-log.ts";
import { MemoryDecisionStore, RedisDecisionStore } from "./scoring/decision-store.ts";
import { withTimeout } from "./with-timeout.ts";

/** Connections run.ts opened (or a test did); compose only uses them, their owner closes them. */
export interface Resources {
  readonly config: ApiConfig;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly keys: readonly ApiKey[];
  readonly redis?: RedisClient;
  /** Opens the kill-switch's pub/sub connection (compose closes it). Default: a duplicate of `redis`. */
  readonly createSubscriber?: () => RedisClient;
  /** The decision log's producer and the review's (labels, SLA expiries), when Kafka is configured. */
  readonly producers?: KafkaProducers;
  /** False while they are still connecting in the background (run.ts). Unset: connected. */
  readonly kafkaConnected?: () => boolean;
  /** Wall clock; tests pin it. */
  readonly now?: () => number;
  /**
   * The future-event guard's clock. Default: Date.now, not `now`: tests pinning `now` for budgets
   * and deadlines send events dated near that pin, and the guard must see them as the past they are.
   */
  readonly eventClock?: () => number;
  /** Uniform in [0, 1) for the exploration draw; tests seed it. Default: Math.random. */
  readonly random?: () => number;
  /** What /metrics serves (all workers' sum under SCORING_WORKERS > 1); unset: the registry's text. */
  readonly metricsText?: () => Promise<string>;
  /** Event-loop lag for admission control; tests inject one. Default: a timer probe, started on ready. */
  readonly lagProbe?: LagProbe;
  /** OpenTelemetry spans per checkout and stage (run.ts creates it); unset or disabled: none. */
  readonly tracing?: Tracing;
}

export interface Composed {
  readonly app: FastifyInstance;
  readonly store: OnlineStore;
  readonly router: ModelRouter;
  readonly rules: RulesWatcher;
  readonly log: DecisionLog;
  readonly killSwitch: KillSwitch;
  /** The review queue service and its SLA worker (tests call `worker.sweep()`). */
  readonly review: ReturnType<typeof composeReview>;
  /** Readiness from the first shutdown signal (drain.ts); the first closer begins it. */
  readonly drain: Drain;
  /** Closers, in order: the drain, the listener, then what compose created (models, rules, decision log). */
  readonly closers: Closer[];
}

/**
 * Wires the scoring service from configuration and open connections: Redis-backed parts when a
 * Redis client is given, the embedded in-memory ones otherwise. Shared by run.ts and the tests,
 * so the tests exercise the wiring that production runs.
 */
export async function composeScoringApi(res: Resources): Promise<Composed> {
  const { config, logger, registry, redis } = res;
  // One child logger per component: every line says which part wrote it.
  const loggerFor = (component: string) => logger.child({ component });
  const now = res.now ?? Date.now;
  const metrics = createApiMetrics(registry);
  const features = new FeatureSet(FEATURES);
  // Without a listener ioredis prints every failed reconnect (one per 500 ms) to stderr, from the
  // first one (a Redis down at start). The outage is announced once, by the Redis breaker's
  // transition log and the kill-switch's; the reconnect attempts are debug detail.
  redis?.on("error", (err: Error) => loggerFor("redis").debug({ err }, "redis connection error"));
  // Identifiers are pseudonymised where bodies are decoded (http-validation.ts); nothing after holds one raw.
  const { pseudonymiser } = pseudonymiserFor(config);

  const loadModel = (dir: string) => LoadedModel.load(dir, features);
  const champion = await loadModel(config.modelDir ?? (await championDir(config.championPointer)));
  const canary = config.canaryModelDir ? await loadModel(config.canaryModelDir) : undefined;
  const shadows = await Promise.all(config.shadowModelDirs.map(loadModel));
  const killSwitch = await startKillSwitch({
    ...(redis ? { redis } : {}),
    ...(res.createSubscriber ? { createSubscriber: res.createSubscriber } : {}),
    prefix: config.redisKeyPrefix,
    pollMs: config.killSwitchPollMs,
    startDefault: config.killSwitchDefault,
    auditMaxEntries: config.killSwitchAuditMaxEntries,
    logger: loggerFor("kill-switch"),
    metrics,
    modelVersions: [champion, ...(canary ? [canary] : []), ...shadows].map((m) => m.version),
    now,
  });
  // Read from memory on every checkout: the switch never waits on Redis.
  const modelEnabled = (m: { version: string }) =>
    !killSwitch.globalEngaged() && !killSwitch.versionEngaged(m.version);
  const router = new ModelRouter(
    champion,
    canary && { model: canary, percent: config.canaryPercent },
    shadows,
    modelEnabled,
  );
  metrics.modelInfo.set({ role: "champion", name: champion.name, version: champion.version }, 1);
  if (canary) metrics.modelInfo.set({ role: "canary", name: canary.name, version: canary.version }, 1);
  for (const s of shadows) metrics.modelInfo.set({ role: "shadow", name: s.name, version: s.version }, 1);

  const rulesLog = loggerFor("rules");
  const rules = await RulesWatcher.start(config.rulesFile, {
    listEntry: pseudonymiseIdentifierLists(pseudonymiser),
    onReload: (version) => rulesLog.info({ rulesVersion: version }, "rules reloaded"),
    onError: (err) =>
      rulesLog.error({ code: err.code, err }, "rules file rejected; the last good version keeps running"),
    onEvalError: (err, version) => {
      metrics.dependencyErrors.inc({ dependency: "rule_eval" });
      rulesLog.warn({ rule: err.id, rulesVersion: version, err: err.message }, "rule failed to evaluate");
    },
  });

  // Circuit breakers (resilience/README.md): one for Redis on the scoring path, one per deciding model.
  const resilience = createResilience({
    config,
    metrics,
    logger: loggerFor("circuit-breaker"),
    router,
    ...(redis ? { redis } : {}),
  });
  const prefix = config.redisKeyPrefix;
  const store: OnlineStore = redis
    ? new RedisStore(redis, { keyPrefix: prefix })
    : new MemoryStore({
        maxEntities: config.memoryStoreMaxEntities,
        onEvicted: (n) => metrics.featureStoreEvictions.inc(n),
      });
  const capacity = config.reviewCapacityPerDay ?? champion.reviewCapacityPerDay;
  const budget = redis ? new RedisReviewBudget(redis, prefix, capacity) : new MemoryReviewBudget(capacity);
  const queue = redis ? new RedisReviewQueue(redis, prefix) : new MemoryReviewQueue(100_000);
  const decisions = redis
    ? new RedisDecisionStore(redis, prefix, config.decisionTtlDays * 86_400)
    : new MemoryDecisionStore(100_000);
  const log = composeDecisionLog({
    producer: res.producers?.decisions,
    kafkaConnected: res.kafkaConnected,
    topicPrefix: config.topicPrefix,
    maxBuffered: config.decisionBufferMax,
    metrics,
    logger: loggerFor("decision-log"),
  });

  // Scoring and POST /v1/features read within the same budget: the route shows what a checkout sees.
  // Only scoring feeds the Redis breaker: a client calling the feature routes during an outage
  // (reads, or POST /v1/events applying within the same budget) must not open it for checkouts.
  const readFeatures = (c: Checkout) =>
    withTimeout(readCheckoutFeatures(store, features, c), config.featureTimeoutMs, "feature read");
  const applyEvent = (u: EventUpdate) => withTimeout(store.apply(u), config.featureTimeoutMs, "event apply");
  const scoring = composeScoring({
    config,
    registry,
    logger: loggerFor("scoring"),
    readFeatures: (c: Checkout) =>
      withTimeout(readAndCountCheckout(store, features, c), config.featureTimeoutMs, "feature read"),
    metrics,
    features,
    rules: rules.engine,
    router,
    champion,
    modelEnabled,
    resilience,
    store,
    decisions,
    budget,
    queue,
    log,
    now,
    ...(redis ? { redis } : {}),
    ...(res.tracing ? { tracing: res.tracing } : {}),
    ...(res.random ? { random: res.random } : {}),
  });

  const reviewLog = loggerFor("review-queue");
  const review = composeReview({
    queue,
    budget,
    store,
    registry,
    logger: reviewLog,
    producer: res.producers?.review,
    topics: {
      labels: topicNames(config.topicPrefix).input.labels,
      decisions: topicNames(config.topicPrefix).decisions,
    },
    leaseSeconds: config.reviewLeaseSeconds,
    slaSweepMs: config.reviewSlaSweepMs,
    slaDefaultAction: config.reviewSlaDefaultAction,
    now,
    onError: (dependency, err) => {
      metrics.dependencyErrors.inc({ dependency });
      reviewLog.warn({ dependency, err }, "review side task failed");
    },
  });

  const consoleLive = composeConsole({
    metrics,
    resilience,
    router,
    killSwitch,
    reviewSnapshot: review.snapshot,
    reviewSlaMinutes: config.reviewSlaMinutes,
    now,
    onError: (err) => loggerFor("console").debug({ err }, "console sample failed"),
  });
  const drain = new Drain();
  const { admission, probe } = composeAdmission(config, res.lagProbe);

  const app = await buildApp({
    admission,
    retryAfterSeconds: config.admissionRetryAfterSeconds,
    onAdmission: (level) => metrics.admission.inc({ level }),
    features,
    readFeatures,
    applyEvent,
    scorer: scoring.scorer,
    review: review.service,
    keys: res.keys,
    consoleSummary: consoleLive.summary,
    killSwitch,
    router,
    logger: loggerFor("http"),
    registry,
    ...(res.metricsText ? { metricsText: res.metricsText } : {}),
    bodyLimitBytes: config.bodyLimitBytes,
    metricsRoute: config.metricsPort === undefined,
    eventAdmission: { pseudonymiser, maxClockSkewMs: config.maxClockSkewMs, now: res.eventClock ?? Date.now },
    onEventRefused: (code) => metrics.eventsRefused.inc({ reason: code }),
    readiness: {
      // Not ready only while it stops: the port opens once the model and rules are loaded (run.ts
      // listens after compose), so there is no earlier state in which it answers and cannot decide.
      // Redis away or a breaker open leaves the service ready (it decides, degraded): reported only.
      problems: async () => drain.problems(),
      degraded: () => {
        const kafkaAway = res.kafkaConnected && !res.kafkaConnected();
        return kafkaAway ? [...resilience.degraded(), "kafka"] : resilience.degraded();
      },
    },
  });

  app.addHook("onReady", async () => probe.start?.());

  const closers: Closer[] = [
    ...drainClosers(app, drain, {
      drainMs: config.shutdownDrainMs,
      inFlightMs: config.shutdownInFlightMs,
      logger: loggerFor("shutdown"),
    }),
    { name: "admission probe", close: async () => probe.stop?.() },
    review.closer,
    consoleLive.closer,
    { name: "kill switch (poll, subscriber)", close: () => killSwitch.close() },
    { name: "decision log", close: () => log.close() },
    scoring.closer,
    { name: "rules watcher", close: async () => rules.close() },
    {
      name: "models",
      close: async () => void (await Promise.all(router.all().map((m) => (m as LoadedModel).close()))),
    },
  ];
  return { app, store, router, rules, log, killSwitch, review, drain, closers };
}
