import type { RedisClient } from "@riskgate/common/redis-client";
import { Cluster } from "ioredis";
import type { Admin } from "kafkajs";

/**
 * What test runs leave behind in the shared dev services: their Redis keys (the feature store's
 * TTL is 400 days, so a dev Redis with a 2 GB cap and noeviction fills up run after run) and their
 * Kafka topics (each one a partition's files and checks in the broker). Names from uniquePrefix /
 * uniqueTopic carry their creation time (base-36 ms, then 8 random hex digits), so what is older
 * than a run can take goes, and a run in progress elsewhere (another worktree) keeps its own.
 */
const KEY = /^\{?t:[^:]*:([0-9a-z]{8})[0-9a-f]{8}:/;
// A topic name may be a uniqueTopic with a suffix of its own (`t.api.<created>.decisions`).
const TOPIC = /^t\.[A-Za-z0-9_-]*\.([0-9a-z]{8})[0-9a-f]{8}(\.|$)/;

/** When the test name was made, or undefined for a name that is not a test's. */
export function createdAt(name: string, kind: "key" | "topic"): number | undefined {
  const m = (kind === "key" ? KEY : TOPIC).exec(name);
  return m ? Number.parseInt(m[1] as string, 36) : undefined;
}

/** Unlinks test keys created before `before` (ms), on each master of a Cluster; returns how many. */
export async function sweepKeys(redis: RedisClient, before: number): Promise<number> {
  const nodes = redis instanceof Cluster ? redis.nodes("master") : [redis];
  let removed = 0;
  for (const node of nodes) {
    for (const pattern of ["t:*", "{t:*"]) {
      let cursor = "0";
      do {
        const [next, batch] = await node.scan(cursor, "MATCH", pattern, "COUNT", 10_000);
        // One key at a time: on a cluster a multi-key UNLINK must stay in one slot.
        const old = batch.filter((key) => (createdAt(key, "key") ?? before) < before);
        if (old.length > 0) {
          const pipeline = node.pipeline();
          for (const key of old) pipeline.unlink(key);
          await pipeline.exec();
        }
        removed += old.length;
        cursor = next;
      } while (cursor !== "0");
    }
  }
  return removed;
}

/** Deletes test topics created before `before` (ms); returns how many. */
export async function sweepTopics(admin: Admin, before: number): Promise<number> {
  const old = (await admin.listTopics()).filter((t) => (createdAt(t, "topic") ?? before) < before);
  if (old.length > 0) await admin.deleteTopics({ topics: old });
  return old.length;
}
