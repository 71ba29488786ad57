// What only the Redis store has to get right: keys expire, and state older than the horizon goes.
// (What both stores compute is in conformance.test.ts.)

import { account, payment, T0 } from "@riskgate/test-support/events";
import { createRedis, uniquePrefix } from "@riskgate/test-support/services";
import { afterAll, describe, expect, it } from "vitest";
import { DAY, HORIZON_MS, HOUR, LIFETIME_MAX_AGE_MS, MINUTE } from "../../src/definitions/time.ts";
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
  const user = (suffix: string) => `${prefix}fs:v1:{user:u_1}:${suffix}`;
  const apply = async (e: DomainEvent) => {
    const { outcomes } = await store.apply(update(e));
    expect(outcomes.every((o) => o === "applied")).toBe(true);
  };
  const keys = async (match = `${prefix}*`) => {
    const found: string[] = [];
    for await (const batch of redis.scanStream({ match, count: 1000 })) found.push(...(batch as string[]));
    return found.sort();
  };
  const ttls = async (ks: string[]): Promise<Record<string, number>> =>
    Object.fromEntries(await Promise.all(ks.map(async (k) => [k, await redis.ttl(k)])));
  return { clock, user, apply, keys, ttls };
}

describe("Redis online store housekeeping", () => {
  it("gives every key it writes a TTL of at least the lifetime, streams first written later that day included", async () => {
    const { clock, user, apply, keys, ttls } = setup("ttl-same-day");
    await apply(payment("p1", T0));
    clock.now = T0 + 3 * HOUR;
    // The login adds the user's first logins and ips streams, on a day the user was already written.
    await apply(account("l1", T0 + 3 * HOUR));
    const all = await keys();
    expect(all).toEqual(expect.arrayContaining([user("h"), user("seen"), user("s:logins"), user("s:ips")]));
    for (const [key, ttl] of Object.entries(await ttls(all))) {
      expect({ key, ok: ttl >= LIFETIME_S - 60 && ttl <= LIFETIME_S + DAY / 1000 }).toEqual({
        key,
        ok: true,
      });
    }
  });

  it("on an entity's first write of a later day, renews the TTL of all its keys, streams the event does not touch included", async () => {
    const { clock, user, apply, keys, ttls } = setup("ttl-next-day");
    await apply(account("l1", T0));
    await apply(payment("p1", T0 + MINUTE));
    // As if most of the lifetime had passed without a write.
    const userKeys = await keys(user("*"));
    for (const key of userKeys) await redis.expire(key, 1_000);
    clock.now = T0 + DAY;
    // A payment touches the user's devices stream, not its logins or ips.
    await apply(payment("p2", T0 + DAY));
    expect(userKeys).toEqual(expect.arrayContaining([user("s:logins"), user("s:ips"), user("s:devices")]));
    for (const [key, ttl] of Object.entries(await ttls(userKeys))) {
      expect({ key, renewed: ttl >= LIFETIME_S - 60 }).toEqual({ key, renewed: true });
    }
  });

  it("drops state older than the horizon once the watermark moves on; a stream trimmed empty comes back with a TTL", async () => {
    const { clock, user, apply, keys, ttls } = setup("trim");
    const old = T0 - HORIZON_MS + HOUR;
    await apply(account("l-old", old, { ip: "10.9.9.9" }));
    clock.now = T0 + DAY;
    await apply(payment("p1", T0 + DAY));
    // Only the old login was in the logins and ips streams: both are gone, and so is its dedup entry.
    expect(await keys(user("s:*"))).toEqual([user("s:devices")]);
    expect(await redis.zscore(user("seen"), "l-old")).toBeNull();
    expect(await redis.zscore(user("seen"), "p1")).not.toBeNull();
    expect(await redis.zcard(user("s:devices"))).toBe(1);

    await apply(account("l-new", T0 + DAY + MINUTE));
    expect(await redis.zrange(user("s:logins"), 0, "-1")).toEqual(["l-new"]);
    expect((await ttls([user("s:logins")]))[user("s:logins")]).toBeGreaterThanOrEqual(LIFETIME_S - 60);
  });
});
