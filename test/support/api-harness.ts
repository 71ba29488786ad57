// Builds the scoring API exactly as main.ts does (composeScoringApi), over the real Redis when asked
// (the Redis Cluster in the cluster vitest project), with known API keys and a pinned clock.

import { createRedisClient, type RedisClient } from "@riskgate/common/redis-client";
import { pseudonymiserFor } from "@riskgate/feature-store/events";
import { type Composed, composeScoringApi } from "@riskgate/scoring-api/compose";
import { loadApiConfig } from "@riskgate/scoring-api/config";
import { type KafkaProducers, kafkaProducers } from "@riskgate/scoring-api/kafka-producers";
import { pino } from "pino";
import { Registry } from "prom-client";
import { createKafka, createRedis, redisReady, uniquePrefix, uniqueTopic } from "./services.ts";

export const TOKENS = {
  score: "score-key-0123456789abcdef",
  review: "review-key-0123456789abcdef",
  admin: "admin-key-0123456789abcdef",
  all: "all-scopes-key-0123456789abcdef",
};
const API_KEYS = `score:${TOKENS.score},review:${TOKENS.review},admin:${TOKENS.admin},score+review+admin:${TOKENS.all}`;

export interface ApiHarness extends Composed {
  readonly redis?: RedisClient;
  readonly registry: Registry;
  readonly prefix: string;
  /** Topic prefix of this API's decisions topic (`<prefix>decisions`), when started with Kafka. */
  readonly topicPrefix: string;
  close(): Promise<void>;
}

export async function startApi(
  opts: {
    redis?: boolean;
    /** A Redis of the test's own, reached through main.ts's fail-fast client (createRedisClient). */
    redisUrl?: string;
    kafka?: boolean;
    /** Producers of the test's own (never connected, say) instead of `kafka`'s; the test closes them. */
    producers?: KafkaProducers;
    env?: Record<string, string>;
    now?: () => number;
    /** The future-event guard's clock (default: the real one). */
    eventClock?: () => number;
    /** The exploration draw, uniform in [0, 1); seed it to make exploration reproducible. */
    random?: () => number;
    /**
     * Event-loop lag seen by admission control; pin it to drive the overload levels. Default: none
     * (0), so a test box's load never sheds another test's checkouts.
     */
    lagProbe?: { lagMs(): number };
  } = {},
): Promise<ApiHarness> {
  const prefix = uniquePrefix("api");
  const topicPrefix = `${uniqueTopic("api")}.`;
  const config = loadApiConfig({
    RISKGATE_API_KEYS: API_KEYS,
    REDIS_KEY_PREFIX: prefix,
    KAFKA_TOPIC_PREFIX: topicPrefix,
    // On the shared dev Redis the tests check decisions, not latency: a 2-core box running the
    // suite on two workers misses the production feature and model budgets now and then, which would
    // turn a decision test into a flaky latency test. Outage tests bring their own Redis (redisUrl)
    // and keep the production budgets; a test may still set its own.
    ...(opts.redis ? { FEATURE_TIMEOUT_MS: "2000", MODEL_TIMEOUT_MS: "2000" } : {}),
    // Without a lag probe of the test's own, admission never degrades: nor for a checkout that a
    // busy test box made slow (ADMISSION_DEGRADE_SLOW_MS would hold the next ones degraded).
    ...(opts.lagProbe ? {} : { ADMISSION_DEGRADE_SLOW_MS: "60000" }),
    ...opts.env,
  });
  const redis = opts.redisUrl
    ? createRedisClient(opts.redisUrl, {
        commandTimeoutMs: config.redisCommandTimeoutMs,
        name: "riskgate-test",
      })
    : opts.redis
      ? createRedis({ enableOfflineQueue: true })
      : undefined;
  // The shared test Redis is up: wait for it (and each Cluster master) before the first checkout.
  // A test's own Redis (redisUrl) may be down on purpose; such a test waits for what it needs.
  if (redis && !opts.redisUrl) await redisReady(redis);
  let ownProducers: KafkaProducers | undefined;
  if (opts.kafka && !opts.producers) {
    // As run.ts makes them (idempotent, one send at a time); auto-creation: the tests' topics are fresh.
    ownProducers = kafkaProducers(createKafka("api"), { allowAutoTopicCreation: true });
    await Promise.all([ownProducers.decisions.connect(), ownProducers.review.connect()]);
  }
  const producers = opts.producers ?? ownProducers;
  const registry = new Registry();
  const composed = await composeScoringApi({
    config,
    logger: pino({ level: "silent" }),
    registry,
    keys: config.apiKeys,
    ...(redis ? { redis } : {}),
    ...(producers ? { producers } : {}),
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.eventClock ? { eventClock: opts.eventClock } : {}),
    ...(opts.random ? { random: opts.random } : {}),
    lagProbe: opts.lagProbe ?? { lagMs: () => 0 },
  });
  await composed.app.ready();
  return {
    ...composed,
    ...(redis ? { redis } : {}),
    registry,
    // REDIS_KEY_PREFIX in opts.env wins: replicas of one deployment share it.
    prefix: config.redisKeyPrefix,
    topicPrefix,
    close: async () => {
      for (const c of composed.closers) await c.close();
      await ownProducers?.review.disconnect();
      await ownProducers?.decisions.disconnect();
      await redis?.quit();
    },
  };
}

/** The embedded default's pseudonymiser (no ID_HASH_KEY): what the harness's API makes of raw ids. */
export const pseudonymiser = pseudonymiserFor({}).pseudonymiser;

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** POST /v1/score with the score key; the JSON answer, or an error carrying the status and body. */
export async function scoreOk(h: { app: Composed["app"] }, body: unknown) {
  const res = await h.app.inject({
    method: "POST",
    url: "/v1/score",
    headers: bearer(TOKENS.score),
    payload: body as object,
  });
  if (res.statusCode !== 200) throw new Error(`POST /v1/score answered ${res.statusCode}: ${res.body}`);
  return res.json();
}
