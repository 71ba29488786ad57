import type { RedisClient } from "@riskgate/common/redis-client";
import { Cluster } from "ioredis";
import type { Admin } from "kafkajs";

/**
 * What test runs leave behind in the shared dev services: their Redis keys (the feature store's
 * TTL is 400 days, so a dev Redis with a 2 GB cap and noeviction fills up run after run) and their
 * Kafka topics (each one a partition's files and checks in the broker, which a restart reopens one
 * by one). Names from uniquePrefix / uniqueTopic carry their creation time (base-36 ms), then the
 * run's tag (4 hex digits) and 4 random ones: a run removes its own when it ends, and what is older
 * than a run can take goes at the start of the next, so a run in progress elsewhere (another
 * worktree) keeps its own.
 */
/** A run's tag as test names carry it (RISKGATE_TEST_RUN). */
export const RUN_TAG = /^[0-9a-f]{4}$/;
const KEY = /^\{?t:[^:]*:([0-9a-z]{8})([0-9a-f]{4})[0-9a-f]{4}:/;
// A topic name may be a uniqueTopic with a suffix of its own (`t.api.<created>.decisions`).
const TOPIC = /^t\.[A-Za-z0-9_-]*\.([0-9a-z]{8})([0-9a-f]{4})[0-9a-f]{4}(\.|$)/;

/** When a test name was made and by which run, or undefined for a name that is not a test's. */
export function testName(name: string, kind: "key" | "topic"): { created: number; run: string } | undefined {
  const m = (kind === "key" ? KEY : TOPIC).exec(name);
  return m ? { created: Number.parseInt(m[1] as string, 36), run: m[2] as string } : undefined;
}

/** Which test names a sweep removes: those made before `before` (ms), or those of the run `run`. */
export type Sweep = { readonly before: number } | { readonly run: string };

function swept(name: string, kind: "key" | "topic", sweep: Sweep): boolean {
  const made = testName(name, kind);
  if (!made) return false;
  return "run" in sweep ? made.run === sweep.run : made.created < sweep.before;
}

/** Unlinks the test keys `sweep` names, on each master of a Cluster; returns how many. */
export async function sweepKeys(redis: RedisClient, sweep: Sweep): Promise<number> {
  const nodes = redis instanceof Cluster ? redis.nodes("master") : [redis];
  let removed = 0;
  for (const node of nodes) {
    for (const pattern of ["t:*", "{t:*"]) {
      let cursor = "0";
      do {
        const [next, batch] = await node.scan(cursor, "MATCH", pattern, "COUNT", 10_000);
        // One key at a time: on a cluster a multi-key UNLINK must stay in one slot.
        const old = batch.filter((key) => swept(key, "key", sweep));
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

/** Deletes the test topics `sweep` names; returns how many. */
export async function sweepTopics(admin: Admin, sweep: Sweep): Promise<number> {
  const old = (await admin.listTopics()).filter((t) => swept(t, "topic", sweep));
  if (old.length > 0) await admin.deleteTopics({ topics: old });
  return old.length;
}
