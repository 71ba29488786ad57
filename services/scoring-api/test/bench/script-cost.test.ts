// bench:scripts' capture and measurement on a few checkouts of one user against the real Redis:
// what it captures is what the store sends, every variant gets a turn in every round, and its apply
// turns count as new checkouts (not as duplicates the script would skip). Not its timings.
import { FEATURES, FeatureSet } from "@riskgate/feature-store/definitions";
import { APPLY_EVENT_LUA, READ_ENTITIES_LUA } from "@riskgate/feature-store/level-bench";
import { RedisStore } from "@riskgate/feature-store/online";
import { checkout, T0 } from "@riskgate/test-support/events";
import { redisUrl, uniquePrefix } from "@riskgate/test-support/services";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { captureCheckoutCalls, measureScriptCost } from "../../bench/script-cost.ts";

const redis = new Redis(redisUrl());
afterAll(() => redis.disconnect());

describe("bench:scripts", () => {
  it("captures each checkout's read and apply, and measures fresh applies every round", async () => {
    const prefix = uniquePrefix("script-cost");
    const checkouts = [0, 1, 2, 3, 4].map((i) => checkout(`evt_sc_${i}`, T0 + i * 60_000));
    const calls = await captureCheckoutCalls(redis, prefix, checkouts);
    expect(calls.map((c) => c.script)).toEqual(checkouts.flatMap(() => ["read", "apply"]));
    const applies = calls.filter((c) => c.script === "apply");
    // The apply's ARGV starts after the key count and the keys: its first argument is the event id.
    expect(applies.map((c) => c.args[Number(c.args[0]) + 1])).toEqual(checkouts.map((c) => c.event_id));

    const lua = { read: READ_ENTITIES_LUA, apply: APPLY_EVENT_LUA };
    const costs = await measureScriptCost(redis, calls, 2, [
      { name: "a", lua },
      { name: "b", lua },
    ]);
    expect(costs.map((c) => [c.variant, c.script, c.calls, c.usPerCall.length])).toEqual([
      ["a", "read", 5, 2],
      ["b", "read", 5, 2],
      ["a", "apply", 5, 2],
      ["b", "apply", 5, 2],
    ]);
    for (const c of costs) for (const us of c.usPerCall) expect(us).toBeGreaterThan(0);

    // 5 captured checkouts, then 2 rounds of 5 applies under new ids per variant: 25 in the user's
    // last hour.
    const features = new FeatureSet(FEATURES);
    const store = new RedisStore(redis, { keyPrefix: prefix });
    const next = checkout("evt_sc_next", T0 + 5 * 60_000);
    const asOf = Date.parse(next.occurred_at);
    const vector = features.compute(next, asOf, await store.read(features.plan(next, asOf)));
    expect(features.toRecord(vector).user_checkouts_1h).toBe(25);
  });
});
