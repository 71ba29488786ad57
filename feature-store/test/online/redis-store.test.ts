// What only the Redis store has to get right: keys expire, and an entity's keys stay bounded in
// number and size however many events it sees. (What both stores compute is in
// conformance.test.ts and bounded-state.test.ts.)

import { account, checkoutMessage, payment, T0 } from "@riskgate/test-support/events";
import { createRedis, uniquePrefix } from "@riskgate/test-support/services";
import { afterAll, describe, expect, it } from "vitest";
import { DEDUP_EVENTS, DISTINCT_EXACT_CAP } from "../../src/definitions/bounded-state.ts";
import { DAY, HOUR, LIFETIME_MAX_AGE_MS, MINUTE } from "../../src/definitions/time.ts";
import type { DomainEvent } from "../../src/events/index.ts";
import { RedisStore } from "../../src/online/redis-store.ts";
import { update } from "../../src/update/update.ts";

const redis = createRedis();
afterAll(() => redis.quit());

const LIFETIME_S = LIFETIME_MAX_AGE_MS / 1000;

function setup(name: string) {
  const prefix = uniquePrefix(name);
  const clock = { now: T0 };
  const store = new RedisStore(redis, { keyPrefix: prefix, now: () => clock.now });
  const keyOf = (entity: string, id: string) => (suffix: string) =>
    `${prefix}fs:v2:{${entity}:${id}}:${suffix}`;
  const apply = async (e: DomainEvent) => {
    const { outcomes } = await store.apply(update(e));
    expect(outcomes.every((o) => o === "applied")).toBe(true);
  };
  // An entity's keys: its hash, its dedup ring and those the hash registers (`_k:<suffix>`).
  // Not SCAN: the shared Redis holds millions of keys, and scanning them all stalls everyone.
  const keys = async (key: (suffix: string) => string) => {
    const registered = (await redis.hkeys(key("h")))
      .filter((f) => f.startsWith("_k:"))
      .map((f) => key(f.slice(3)));
    const all = [key("h"), key("seen"), ...registered];
    expect(await redis.exists(...all)).toBe(all.length);
    return all.sort();
  };
  const ttls = async (ks: string[]): Promise<Record<string, number>> =>
    Object.fromEntries(await Promise.all(ks.map(async (k) => [k, await redis.ttl(k)])));
  return { clock, store, user: keyOf("user", "u_1"), keyOf, apply, keys, ttls };
}

describe("Redis online store housekeeping", () => {
  it("gives every key it writes a TTL of at least the lifetime, keys first written later that day included", async () => {
    const { clock, user, apply, keys, ttls } = setup("ttl-same-day");
    await apply(payment("p1", T0));
    clock.now = T0 + 3 * HOUR;
    // The login adds the user's first logins ring and ips set, on a day the user was already written.
    await apply(account("l1", T0 + 3 * HOUR));
    const all = await keys(user);
    expect(all).toEqual(expect.arrayContaining([user("h"), user("seen"), user("c:logins"), user("x:ips")]));
    for (const [key, ttl] of Object.entries(await ttls(all))) {
      expect({ key, ok: ttl >= LIFETIME_S - 60 && ttl <= LIFETIME_S + DAY / 1000 }).toEqual({
        key,
        ok: true,
      });
    }
  });

  it("on an entity's first write of a later day, renews the TTL of all its keys, ones the event does not touch included", async () => {
    const { clock, user, apply, keys, ttls } = setup("ttl-next-day");
    await apply(account("l1", T0));
    await apply(payment("p1", T0 + MINUTE));
    // As if most of the lifetime had passed without a write.
    const userKeys = await keys(user);
    for (const key of userKeys) await redis.expire(key, 1_000);
    clock.now = T0 + DAY;
    // A payment touches the user's devices set, not its logins ring or ips set.
    await apply(payment("p2", T0 + DAY));
    expect(userKeys).toEqual(expect.arrayContaining([user("c:logins"), user("x:ips"), user("x:devices")]));
    for (const [key, ttl] of Object.entries(await ttls(userKeys))) {
      expect({ key, renewed: ttl >= LIFETIME_S - 60 }).toEqual({ key, renewed: true });
    }
  });
});

describe("Redis online store bounds", () => {
  it("keeps a cold entity small: its dedup ring holds the digests of its events only", async () => {
    const { user, apply } = setup("cold-user");
    await apply(payment("p1", T0));
    await apply(payment("p2", T0 + MINUTE));
    expect(await redis.strlen(user("seen"))).toBe(16);
  });

  it("keeps a hot IP's keys few and small: capped sets, two HyperLogLogs, one ring, every key with a TTL", async () => {
    const { keyOf, store, keys, ttls } = setup("hot-ip");
    const ip = keyOf("ip", "10.0.0.1");
    // 3,000 checkouts from one IP by 3,000 distinct users over 30 hours, one pipelined batch at a time.
    const events = Array.from({ length: 3_000 }, (_, i) =>
      checkoutMessage(`c${i}`, T0 + i * 36_000, {
        user: { id: `u_${i}`, created_at: "2025-01-01T00:00:00Z" },
        device: { id: `d_${i}`, ip: "10.0.0.1" },
      }),
    );
    for (let i = 0; i < events.length; i += 500) {
      await store.applyBatch(events.slice(i, i + 500).map((e) => update(e)));
    }
    const ipKeys = await keys(ip);
    expect(ipKeys.map((k) => k.slice(ip("").length)).sort()).toEqual([
      "c:checkouts",
      "h",
      "seen",
      `u:users:${DAY}:0`,
      `u:users:${DAY}:1`,
      "x:users",
    ]);
    // 8-byte digests of the latest event ids.
    expect(await redis.strlen(ip("seen"))).toBe(8 * DEDUP_EVENTS);
    expect(await redis.zcard(ip("x:users"))).toBe(DISTINCT_EXACT_CAP);
    let bytes = 0;
    for (const key of ipKeys) bytes += (await redis.memory("USAGE", key)) ?? 0;
    expect(bytes).toBeLessThanOrEqual(64 * 1024);
    for (const [key, ttl] of Object.entries(await ttls(ipKeys))) {
      expect({ key, ok: ttl >= LIFETIME_S - 60 }).toEqual({ key, ok: true });
    }
  });
});
