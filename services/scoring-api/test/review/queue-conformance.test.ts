// The same review-queue behaviour against the embedded MemoryReviewQueue and the RedisReviewQueue
// on a real Redis (like the feature store's conformance suite).

import type { RedisClient } from "@riskgate/common/redis-client";
import { T0 } from "@riskgate/test-support/events";
import { createRedis, uniquePrefix } from "@riskgate/test-support/services";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { NewCase, ReviewQueue } from "../../src/review/review-queue.ts";
import { MemoryReviewQueue } from "../../src/review/review-queue-memory.ts";
import { RedisReviewQueue } from "../../src/review/review-queue-redis.ts";

const MIN = 60_000;
const LEASE = 5 * MIN;
const SLA = 60 * MIN;

function newCase(id: string, priority: number, createdAt = T0): NewCase {
  return {
    caseId: `rc_${id}`,
    eventId: id,
    userId: `u_${id}`,
    paymentInstrumentId: `pi_${id}`,
    score: 0.5,
    amountEur: priority * 2,
    priority,
    reasons: [{ code: "off_platform_contact", detail: "message" }],
    createdAt,
    slaDeadline: createdAt + SLA,
  };
}

let redis: RedisClient | undefined;
afterAll(async () => {
  await redis?.quit();
});

const makers: [string, () => ReviewQueue][] = [
  ["memory", () => new MemoryReviewQueue(1_000)],
  [
    "redis",
    () => {
      redis ??= createRedis();
      return new RedisReviewQueue(redis, uniquePrefix("review-queue"));
    },
  ],
];

describe.each(makers)("review queue (%s)", (_name, make) => {
  let q: ReviewQueue;
  beforeEach(() => {
    q = make();
  });

  it("opens a case once per event", async () => {
    expect(await q.open(newCase("a", 10))).toBe(true);
    expect(await q.open(newCase("a", 99))).toBe(false);
    expect((await q.get("rc_a", T0))?.priority).toBe(10);
    expect(await q.get("rc_nope", T0)).toBeNull();
  });

  it("lists open cases by priority descending, then oldest first, and pages with a cursor", async () => {
    await q.open(newCase("low", 5, T0));
    await q.open(newCase("tie-newer", 50, T0 + 2_000));
    await q.open(newCase("high", 500, T0 + 5_000));
    await q.open(newCase("tie-older", 50, T0 + 1_000));
    await q.open(newCase("fraction", 50.25, T0 + 9_000));
    const all = await q.list({ status: "open", limit: 10 }, T0 + 10_000);
    expect(all.cases.map((c) => c.id)).toEqual([
      "rc_high",
      "rc_fraction",
      "rc_tie-older",
      "rc_tie-newer",
      "rc_low",
    ]);
    expect(all.next_cursor).toBeNull();
    const ids: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 5; page++) {
      const p = await q.list({ status: "open", limit: 2, cursor }, T0 + 10_000);
      ids.push(...p.cases.map((c) => c.id));
      if (!p.next_cursor) break;
      cursor = p.next_cursor;
    }
    expect(ids).toEqual(all.cases.map((c) => c.id));
    expect(all.cases[0]).toMatchObject({
      event_id: "high",
      user_id: "u_high",
      score: 0.5,
      amount_eur: 1000,
      status: "open",
      claimed_by: null,
      lease_expires_at: null,
      created_at: new Date(T0 + 5_000).toISOString(),
      sla_deadline: new Date(T0 + 5_000 + SLA).toISOString(),
      reasons: [{ code: "off_platform_contact", detail: "message" }],
    });
  });

  it("lets one reviewer hold a lease; the holder renews it; a lapsed lease frees the case", async () => {
    await q.open(newCase("c", 10));
    const first = await q.claim("rc_c", "alice", T0, T0 + LEASE);
    expect(first.outcome).toBe("ok");
    expect(first.case).toMatchObject({ status: "claimed", claimed_by: "alice" });
    expect((await q.claim("rc_c", "bob", T0 + 1, T0 + 1 + LEASE)).outcome).toBe("claimed");
    const renewed = await q.claim("rc_c", "alice", T0 + MIN, T0 + MIN + LEASE);
    expect(renewed.case?.lease_expires_at).toBe(new Date(T0 + MIN + LEASE).toISOString());
    // Lists: claimed, not open.
    expect((await q.list({ status: "open", limit: 10 }, T0 + MIN)).cases).toEqual([]);
    expect((await q.list({ status: "claimed", limit: 10 }, T0 + MIN)).cases.map((c) => c.id)).toEqual([
      "rc_c",
    ]);
    // The lease lapses: the case is open again and bob may take it.
    const later = T0 + MIN + LEASE;
    expect((await q.get("rc_c", later))?.status).toBe("open");
    expect((await q.list({ status: "open", limit: 10 }, later)).cases.map((c) => c.id)).toEqual(["rc_c"]);
    expect((await q.claim("rc_c", "bob", later, later + LEASE)).case).toMatchObject({ claimed_by: "bob" });
    expect((await q.claim("rc_nope", "bob", later, later + LEASE)).outcome).toBe("not_found");
  });

  it("resolves only by the live lease holder, idempotently for the same label", async () => {
    await q.open(newCase("r", 10));
    expect((await q.prepareResolve("rc_r", "alice", "fraud", T0, T0 + 1)).outcome).toBe("not_claimed");
    await q.claim("rc_r", "alice", T0, T0 + LEASE);
    expect((await q.prepareResolve("rc_r", "bob", "fraud", T0, T0 + 1)).outcome).toBe("not_holder");
    expect((await q.prepareResolve("rc_r", "alice", "fraud", T0 + LEASE, T0 + LEASE)).outcome).toBe(
      "lease_expired",
    );
    // Still alice's (nobody else claimed): prepare extends the lease to the grace time.
    await q.claim("rc_r", "alice", T0 + 1, T0 + 1 + LEASE);
    const prepared = await q.prepareResolve("rc_r", "alice", "fraud", T0 + 2, T0 + 2 * LEASE);
    expect(prepared.outcome).toBe("ok");
    expect(prepared.case?.lease_expires_at).toBe(new Date(T0 + 2 * LEASE).toISOString());
    const done = await q.commitResolve("rc_r", "alice", "fraud", "asked for whatsapp", T0 + 3);
    expect(done.outcome).toBe("ok");
    expect(done.case).toMatchObject({
      status: "resolved",
      resolution: "fraud",
      note: "asked for whatsapp",
      resolved_by: "alice",
      resolved_at: new Date(T0 + 3).toISOString(),
    });
    expect((await q.prepareResolve("rc_r", "alice", "fraud", T0 + 4, T0 + 5)).outcome).toBe("already");
    expect((await q.commitResolve("rc_r", "alice", "fraud", "again", T0 + 4)).outcome).toBe("already");
    expect((await q.prepareResolve("rc_r", "alice", "legit", T0 + 4, T0 + 5)).outcome).toBe("closed");
    expect((await q.prepareResolve("rc_r", "bob", "fraud", T0 + 4, T0 + 5)).outcome).toBe("closed");
    expect((await q.claim("rc_r", "bob", T0 + 4, T0 + 5)).outcome).toBe("closed");
    expect((await q.list({ status: "open", limit: 10 }, T0 + 4)).cases).toEqual([]);
    expect((await q.list({ status: "resolved", limit: 10 }, T0 + 4)).cases.map((c) => c.id)).toEqual([
      "rc_r",
    ]);
    // The resolver's note stays on the case; a resolved case keeps who resolved it.
    expect((await q.get("rc_r", T0 + 4))?.claimed_by).toBe("alice");
  });

  it("a commit after another reviewer took a lapsed lease is refused", async () => {
    await q.open(newCase("l", 10));
    await q.claim("rc_l", "alice", T0, T0 + LEASE);
    await q.claim("rc_l", "bob", T0 + LEASE, T0 + 2 * LEASE);
    expect((await q.commitResolve("rc_l", "alice", "fraud", "late", T0 + LEASE + 1)).outcome).toBe("lost");
  });

  it("expires overdue cases once, with the default action, and reports them in stats", async () => {
    await q.open(newCase("due-1", 10, T0));
    await q.open(newCase("due-2", 20, T0 + 1));
    await q.open(newCase("later", 30, T0 + SLA));
    await q.claim("rc_due-2", "alice", T0 + 2, T0 + 2 + LEASE);
    const at = T0 + SLA + 1;
    expect((await q.overdue(at, 10)).sort()).toEqual(["rc_due-1", "rc_due-2"]);
    const expired = await Promise.all(
      ["rc_due-1", "rc_due-2", "rc_due-1", "rc_due-2", "rc_later"].map((id) => q.expire(id, at, "block")),
    );
    expect(
      expired
        .filter((c) => c !== null)
        .map((c) => c?.id)
        .sort(),
    ).toEqual(["rc_due-1", "rc_due-2"]);
    const c = await q.get("rc_due-1", at);
    expect(c).toMatchObject({
      status: "expired",
      sla_action: "block",
      expired_at: new Date(at).toISOString(),
    });
    expect(await q.overdue(at, 10)).toEqual([]);
    expect((await q.claim("rc_due-1", "bob", at, at + LEASE)).outcome).toBe("closed");
    expect((await q.prepareResolve("rc_due-2", "alice", "fraud", at, at + 1)).outcome).toBe("closed");
    expect((await q.list({ status: "expired", limit: 10 }, at)).cases.map((x) => x.id).sort()).toEqual([
      "rc_due-1",
      "rc_due-2",
    ]);
    expect(await q.stats(at)).toEqual({
      open: 1,
      claimed: 0,
      resolved: 0,
      expired: 2,
      oldestCreatedAt: T0 + SLA,
    });
  });

  it("lists an expiry to be announced, oldest first, until it is confirmed", async () => {
    for (const [id, at] of [
      ["ann-1", T0],
      ["ann-2", T0 + 1],
      ["quiet", T0 + 2],
    ] as const)
      await q.open(newCase(id, 10, at));
    expect(await q.expire("rc_ann-2", T0 + SLA + 2, "allow", true)).not.toBeNull();
    expect(await q.expire("rc_ann-1", T0 + SLA + 1, "allow", true)).not.toBeNull();
    // Expired without an announcement to make (no Kafka): never listed.
    expect(await q.expire("rc_quiet", T0 + SLA + 3, "allow")).not.toBeNull();
    // A second expire of the same case changes nothing.
    expect(await q.expire("rc_ann-1", T0 + SLA + 9, "allow", true)).toBeNull();
    expect(await q.unannounced(T0 + SLA + 9, 10)).toEqual(["rc_ann-1", "rc_ann-2"]);
    expect(await q.unannounced(T0 + SLA + 1, 10)).toEqual(["rc_ann-1"]);
    expect(await q.unannounced(T0 + SLA + 9, 1)).toEqual(["rc_ann-1"]);
    await q.announced("rc_ann-1");
    await q.announced("rc_never-listed");
    expect(await q.unannounced(T0 + SLA + 9, 10)).toEqual(["rc_ann-2"]);
  });

  it("records a resolution whose label was out when the SLA expired the case mid-resolve", async () => {
    await q.open(newCase("race", 10, T0));
    await q.claim("rc_race", "alice", T0, T0 + LEASE);
    expect((await q.prepareResolve("rc_race", "alice", "legit", T0 + 1, T0 + LEASE)).outcome).toBe("ok");
    await q.expire("rc_race", T0 + SLA, "allow");
    const done = await q.commitResolve("rc_race", "alice", "legit", "fine", T0 + SLA + 1);
    expect(done.case).toMatchObject({ status: "resolved", resolution: "legit", sla_action: "allow" });
    expect((await q.stats(T0 + SLA + 1)).expired).toBe(0);
  });

  it("counts open and claimed cases and the oldest unresolved one", async () => {
    expect(await q.stats(T0)).toEqual({
      open: 0,
      claimed: 0,
      resolved: 0,
      expired: 0,
      oldestCreatedAt: null,
    });
    await q.open(newCase("s1", 10, T0 + 100));
    await q.open(newCase("s2", 10, T0 + 50));
    await q.claim("rc_s1", "alice", T0 + 200, T0 + 200 + LEASE);
    expect(await q.stats(T0 + 300)).toEqual({
      open: 1,
      claimed: 1,
      resolved: 0,
      expired: 0,
      oldestCreatedAt: T0 + 50,
    });
    // A lapsed lease counts as open again.
    expect((await q.stats(T0 + 200 + LEASE)).claimed).toBe(0);
  });
});
