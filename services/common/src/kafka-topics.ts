import { setTimeout as delay } from "node:timers/promises";
import type { Admin, Kafka } from "kafkajs";
import type { Logger } from "./logger.ts";

export interface TopicSettings {
  readonly partitions: number;
  /** -1: the broker's default.replication.factor. */
  readonly replicationFactor: number;
}

/**
 * Creates the topics that do not exist yet (an existing topic is left as it is, whatever its
 * partitions) and waits until every partition takes requests: a leader in the metadata, and an
 * answer to ListOffsets. A KRaft broker publishes a new topic's metadata before its replica manager
 * hosts the partitions, and refuses them until it does ("not the leader", "does not host"). Ready on
 * the metadata alone, a produce in that moment to two partitions failed for one of them, and kafkajs
 * sent the whole request again: a non-idempotent producer wrote the other partition's messages twice
 * (150 keyed messages sent at once landed as more, 218 or 232, in 3 of 10 tries on the dev broker, and
 * hand-over.test.ts, which waits for exactly its 150 events, cannot pass on such a topic). One
 * attempt; returns the names it created.
 */
export async function ensureTopics(
  admin: Admin,
  topics: readonly string[],
  settings: TopicSettings,
  leaderTimeoutMs = 15_000,
): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t));
  if (missing.length > 0) {
    await admin.createTopics({
      waitForLeaders: false,
      topics: missing.map((topic) => ({
        topic,
        numPartitions: settings.partitions,
        replicationFactor: settings.replicationFactor,
      })),
    });
  }
  const deadline = Date.now() + leaderTimeoutMs;
  for (;;) {
    if ((await led(admin, topics)) && (await answerListOffsets(admin, topics))) return missing;
    if (Date.now() > deadline)
      throw new Error(`topics not ready (leaders, ListOffsets) after ${leaderTimeoutMs} ms`);
    await delay(100);
  }
}

/** The errors of a topic the broker knows of but does not host yet (kafkajs: stale metadata). */
const NOT_HOSTED_YET = new Set([
  "UNKNOWN_TOPIC_OR_PARTITION",
  "LEADER_NOT_AVAILABLE",
  "NOT_LEADER_FOR_PARTITION",
]);

/**
 * Whether every partition of `topics` has a leader in the metadata. A metadata request can itself
 * be refused while a new topic propagates ("does not host this topic-partition"): not led yet, not a
 * failure (it failed a CI run once, for a topic created a moment before).
 */
async function led(admin: Admin, topics: readonly string[]): Promise<boolean> {
  try {
    const { topics: meta } = await admin.fetchTopicMetadata({ topics: [...topics] });
    return (
      meta.length === topics.length &&
      meta.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))
    );
  } catch (err) {
    if (NOT_HOSTED_YET.has((err as { type?: string }).type ?? "")) return false;
    throw err;
  }
}

/** Whether every partition of `topics` answers ListOffsets, as it answers Produce and Fetch. */
async function answerListOffsets(admin: Admin, topics: readonly string[]): Promise<boolean> {
  try {
    for (const topic of topics) await admin.fetchTopicOffsets(topic);
    return true;
  } catch {
    return false;
  }
}

/** ensureTopics with an admin client of its own, connected for this call only. */
export async function ensureTopicsOn(kafka: Kafka, topics: readonly string[], settings: TopicSettings) {
  // The caller's backoff paces the retries; kafkajs's own (about 10 s of them) would hide each failure.
  const admin = kafka.admin({ retry: { retries: 1 } });
  try {
    await admin.connect();
    return await ensureTopics(admin, topics, settings);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
  /** Aborting stops the waiting (shutdown during start-up): the promise rejects with the reason. */
  readonly signal?: AbortSignal;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 250, maxMs: 10_000 };

/**
 * Runs `attempt` until it succeeds, with exponential backoff between tries, for as long as it
 * takes: a fresh or restarting broker delays a service's start, it never stops it. Each failure
 * logs one line naming what is awaited and when the next try is.
 */
export async function retryWithBackoff<T>(
  attempt: () => Promise<T>,
  waitingFor: string,
  logger: Logger,
  backoff: BackoffOptions = DEFAULT_BACKOFF,
): Promise<T> {
  let wait = backoff.initialMs;
  for (let n = 1; ; n++) {
    backoff.signal?.throwIfAborted();
    try {
      return await attempt();
    } catch (err) {
      if (backoff.signal?.aborted) throw backoff.signal.reason;
      logger.warn(
        { attempt: n, retryInMs: wait, err: err instanceof Error ? err.message : String(err) },
        `waiting for ${waitingFor}; retrying`,
      );
    }
    await delay(wait, undefined, backoff.signal ? { signal: backoff.signal } : {});
    wait = Math.min(backoff.maxMs, wait * 2);
  }
}
