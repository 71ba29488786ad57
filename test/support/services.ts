// Helpers for tests that talk to the real Redis and Kafka started by `npm test`
// (infra/dev/test-all.sh). Nothing here is a module-level singleton: every helper
// returns something the calling test owns and closes, so no connection outlives a test.
import { randomBytes } from "node:crypto";
import { installZstdCodec } from "@riskgate/common/kafka-codecs";
import { guardKafkajsIdleTimers } from "@riskgate/common/kafkajs-idle-timer";
import type { RedisClient } from "@riskgate/common/redis-client";
import { parseRedisUrl } from "@riskgate/common/redis-url";
import { Cluster, Redis, type RedisOptions } from "ioredis";
import { type Admin, Kafka, type KafkaConfig, logLevel } from "kafkajs";
import { RUN_TAG } from "./sweep.ts";

const HOW_TO_RUN =
  "run `npm test`, which starts Redis, the Redis Cluster and Kafka (or infra/dev/services.sh up and export " +
  "its lines); a test that needs them belongs to the integration project (vitest.config.ts), never to unit";

/**
 * True in the `cluster` vitest project (RISKGATE_TEST_REDIS=cluster): every harness and helper here
 * then talks to the 3-master Redis Cluster (REDIS_CLUSTER_URL) instead of the standalone Redis.
 */
export function testRedisIsCluster(): boolean {
  return process.env.RISKGATE_TEST_REDIS === "cluster";
}

/** The dev Redis Cluster's URL (REDIS_CLUSTER_URL, `redis+cluster://...`), whatever the project. */
export function redisClusterUrl(): string {
  const url = process.env.REDIS_CLUSTER_URL;
  if (!url) throw new Error(`REDIS_CLUSTER_URL is not set: ${HOW_TO_RUN}`);
  return url;
}

/**
 * The Redis the tests use, as a REDIS_URL: the dev Redis (REDIS_URL), or the dev cluster
 * (REDIS_CLUSTER_URL, `redis+cluster://...`) under RISKGATE_TEST_REDIS=cluster. Throws with a hint
 * when tests run outside `npm test`.
 */
export function redisUrl(): string {
  if (testRedisIsCluster()) return redisClusterUrl();
  const url = process.env.REDIS_URL;
  if (!url) throw new Error(`REDIS_URL is not set: ${HOW_TO_RUN}`);
  return url;
}

/** The dev Kafka bootstrap brokers from KAFKA_BROKERS (comma separated). */
export function kafkaBrokers(): string[] {
  const raw = process.env.KAFKA_BROKERS;
  const brokers = (raw ?? "")
    .split(",")
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
  if (brokers.length === 0) throw new Error(`KAFKA_BROKERS is not set: ${HOW_TO_RUN}`);
  return brokers;
}

/**
 * The run's tag (RISKGATE_TEST_RUN, 4 hex digits, set by test-all.sh), so the run can remove what it
 * made when it ends (test/support/sweep.ts); outside a run, a random one.
 */
function runTag(): string {
  const tag = process.env.RISKGATE_TEST_RUN;
  return tag && RUN_TAG.test(tag) ? tag : randomBytes(2).toString("hex");
}

function suffix(): string {
  // Time first so names sort by creation when someone looks at the broker; then the run's tag; then
  // random, so parallel workers and reruns never collide.
  return `${Date.now().toString(36)}${runTag()}${randomBytes(2).toString("hex")}`;
}

function slug(name: string, allowed: RegExp): string {
  const cleaned = name.replace(allowed, "-").replace(/-+/g, "-").replace(/^-|-$/g, "");
  return (cleaned || "t").slice(0, 60);
}

/** A per-test Redis key prefix, e.g. `t:feature-store:lz3k1a9f3c2b1d:` (ends with ":"). */
export function uniquePrefix(name: string): string {
  return `t:${slug(name, /[^A-Za-z0-9_.-]/g)}:${suffix()}:`;
}

/** A per-test Kafka topic name (legal characters only, well under the 249-char limit). */
export function uniqueTopic(name: string): string {
  return `t.${slug(name, /[^A-Za-z0-9_-]/g)}.${suffix()}`;
}

/** A per-test consumer group id. */
export function uniqueGroup(name: string): string {
  return `g.${slug(name, /[^A-Za-z0-9_-]/g)}.${suffix()}`;
}

const LOG_LEVELS: Record<string, logLevel> = {
  nothing: logLevel.NOTHING,
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
};

/**
 * A kafkajs client for the dev broker. Silent by default (kafkajs logs retriable
 * rebalance errors loudly); set RISKGATE_TEST_KAFKA_LOG=error|warn|info|debug to see them.
 * The Kafka object holds no connection itself: close the producers, consumers and
 * admins you create from it.
 */
export function createKafka(name = "test", overrides: Partial<KafkaConfig> = {}): Kafka {
  // As the services' main.ts do: unguarded, every broker connection of a test's clients re-armed a
  // 1 ms timer (and printed a TimeoutNegativeWarning), CPU taken from the suite's two cores.
  guardKafkajsIdleTimers();
  const level =
    LOG_LEVELS[(process.env.RISKGATE_TEST_KAFKA_LOG ?? "nothing").toLowerCase()] ?? logLevel.NOTHING;
  return new Kafka({
    clientId: `t-${slug(name, /[^A-Za-z0-9_-]/g).slice(0, 20)}`,
    brokers: kafkaBrokers(),
    logLevel: level,
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    retry: { initialRetryTime: 100, retries: 8 },
    ...overrides,
  });
}

export interface TopicSpec {
  topic: string;
  numPartitions?: number;
  configEntries?: { name: string; value: string }[];
}

/**
 * Create topics and wait until they are usable: every partition has a leader and
 * answers a ListOffsets request (a freshly created topic can still answer
 * UNKNOWN_TOPIC_OR_PARTITION for a moment on a busy box).
 */
export async function createTopics(
  kafka: Kafka,
  topics: (string | TopicSpec)[],
  { timeoutMs = 20_000 }: { timeoutMs?: number } = {},
): Promise<void> {
  const specs = topics.map((t) => (typeof t === "string" ? { topic: t } : t));
  await withAdmin(kafka, async (admin) => {
    // kafkajs's waitForLeaders retries only LEADER_NOT_AVAILABLE, but a KRaft broker answers
    // UNKNOWN_TOPIC_OR_PARTITION for a moment after creation: poll below instead.
    await admin.createTopics({
      waitForLeaders: false,
      timeout: timeoutMs,
      topics: specs.map((s) => ({
        topic: s.topic,
        numPartitions: s.numPartitions ?? 1,
        replicationFactor: 1,
        configEntries: s.configEntries ?? [],
      })),
    });
    await waitFor(
      async () => {
        const { topics: meta } = await admin.fetchTopicMetadata({ topics: specs.map((s) => s.topic) });
        for (const spec of specs) {
          const t = meta.find((m) => m.name === spec.topic);
          if (!t || t.partitions.length !== (spec.numPartitions ?? 1)) return false;
          if (t.partitions.some((p) => p.leader < 0 || p.partitionErrorCode !== 0)) return false;
          const offsets = await admin.fetchTopicOffsets(spec.topic);
          if (offsets.length !== t.partitions.length) return false;
        }
        return true;
      },
      { timeoutMs, what: `topics ${specs.map((s) => s.topic).join(", ")} to become usable` },
    );
  });
}

/** Delete topics, best effort (tests use unique names, so a leftover harms nothing). */
export async function deleteTopics(kafka: Kafka, topics: string[]): Promise<void> {
  await withAdmin(kafka, (admin) => admin.deleteTopics({ topics, timeout: 10_000 })).catch(() => {});
}

/** Run `fn` with a connected admin client that is always disconnected afterwards. */
export async function withAdmin<T>(kafka: Kafka, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

/**
 * An ioredis client for the test Redis (redisUrl(): standalone, or a Cluster in the cluster project)
 * that fails fast (see DESIGN.md: the defaults wait for a dead Redis for a long time) but queues
 * commands sent before it is connected. The caller must `quit()` it.
 */
export function createRedis(options: RedisOptions = {}): RedisClient {
  const url = redisUrl();
  const target = parseRedisUrl(url);
  const redisOptions = { maxRetriesPerRequest: 1, connectTimeout: 2_000, ...options };
  if (target?.kind !== "cluster") return new Redis(url, redisOptions);
  const { enableOfflineQueue, ...perNode } = redisOptions;
  return new Cluster([...target.nodes], {
    scaleReads: "master",
    enableOfflineQueue: enableOfflineQueue ?? true,
    redisOptions: perNode,
  });
}

/**
 * Resolves once `redis` is connected, on a Cluster to every master too (ioredis connects a node on
 * its first command, which is then slower than a feature read's budget): a harness that scores
 * right after starting does not see its first checkouts degraded by connection set-up.
 */
export async function redisReady(redis: RedisClient, timeoutMs = 30_000): Promise<void> {
  await waitFor(() => redis.status === "ready", { timeoutMs, what: "the Redis client to connect" });
  if (!(redis instanceof Cluster)) return;
  for (const node of redis.nodes("master")) if (node.status === "wait") node.connect().catch(() => {});
  await waitFor(() => redis.nodes("master").every((n) => n.status === "ready"), {
    timeoutMs,
    what: "every Redis Cluster master to connect",
  });
}

/** Every key matching `pattern` (SCAN, on each master of a Cluster): for tests that look for leftovers. */
export async function scanKeys(redis: RedisClient, pattern: string): Promise<string[]> {
  await redisReady(redis);
  const nodes = redis instanceof Cluster ? redis.nodes("master") : [redis];
  const found: string[] = [];
  for (const node of nodes) {
    let cursor = "0";
    do {
      const [next, batch] = await node.scan(cursor, "MATCH", pattern, "COUNT", 10_000);
      found.push(...batch);
      cursor = next;
    } while (cursor !== "0");
  }
  return found;
}

/** Poll `check` until it returns true; throws a message naming `what` on timeout. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  {
    timeoutMs = 10_000,
    intervalMs = 50,
    what = "condition",
  }: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (err) {
      lastError = err;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : "";
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
}

/**
 * Reads JSON messages of a topic from the beginning until `done(records)` holds, then disconnects.
 * Subscribing is retried: the topic may be created (auto-created by a producer) only moments before.
 */
export async function readJsonRecords(
  kafka: Kafka,
  topic: string,
  done: (records: Record<string, unknown>[]) => boolean,
  { timeoutMs = 30_000, what = `records on ${topic}` }: { timeoutMs?: number; what?: string } = {},
): Promise<Record<string, unknown>[]> {
  installZstdCodec(); // the decision log's batches are zstd
  const consumer = kafka.consumer({ groupId: uniqueGroup("reader") });
  const records: Record<string, unknown>[] = [];
  await consumer.connect();
  try {
    await waitFor(
      async () => {
        await consumer.subscribe({ topic, fromBeginning: true });
        return true;
      },
      { timeoutMs: 20_000, what: `topic ${topic}` },
    );
    await consumer.run({
      eachMessage: async ({ message }) => void records.push(JSON.parse(String(message.value))),
    });
    await waitFor(() => done(records), { timeoutMs, what });
    return records;
  } finally {
    await consumer.disconnect();
  }
}
