import { Redis } from "ioredis";
import { pino } from "pino";
import { Registry } from "prom-client";
import { afterAll, describe, expect, it } from "vitest";
import { FeatureSet } from "../../../feature-store/src/definitions/feature-set.ts";
import { FEATURES } from "../../../feature-store/src/definitions/features.ts";
import { MINUTE } from "../../../feature-store/src/definitions/time.ts";
import type { OnlineStore } from "../../../feature-store/src/online/contract.ts";
import { MemoryStore } from "../../../feature-store/src/online/memory-store.ts";
import { RedisStore } from "../../../feature-store/src/online/redis-store.ts";
import { buildApp } from "../../../services/scoring-api/src/app.ts";
import { checkout, payment, T0 } from "../../support/events.ts";
import { redisUrl, uniquePrefix } from "../../support/services.ts";

const features = new FeatureSet(FEATURES);
const clients: Redis[] = [];
afterAll(async () => {
  for (const c of clients) await c.quit();
});

function appWith(store: OnlineStore, ready = true) {
  return buildApp({
    store,
    features,
    logger: pino({ level: "silent" }),
    registry: new Registry(),
    readiness: { problems: async () => (ready ? [] : ["redis is connecting"]) },
    bodyLimitBytes: 64 * 1024,
  });
}

const stores: [string, () => OnlineStore][] = [
  ["memory", () => new MemoryStore()],
  [
    "redis",
    () => {
      const client = new Redis(redisUrl());
      clients.push(client);
      return new RedisStore(client, { keyPrefix: uniquePrefix("api-features") });
    },
  ],
];

describe.each(stores)("feature read and event intake over HTTP (%s store)", (_name, makeStore) => {
  it("accepts events and serves the features a checkout would be scored with", async () => {
    const app = appWith(makeStore());
    for (const [i, status] of (["failed", "failed", "succeeded"] as const).entries()) {
      const res = await app.inject({
        method: "POST",
        url: "/v1/events",
        payload: payment(`p${i}`, T0 - (i + 1) * MINUTE, { status }),
      });
      expect(res.statusCode).toBe(202);
      expect(res.json()).toEqual({ event_id: `p${i}`, outcome: "applied" });
    }
    const replay = await app.inject({
      method: "POST",
      url: "/v1/events",
      payload: payment("p0", T0 - MINUTE),
    });
    expect(replay.statusCode).toBe(200);
    expect(replay.json().outcome).toBe("duplicate");

    const res = await app.inject({ method: "POST", url: "/v1/features", payload: checkout("c1", T0) });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.feature_set).toBe(features.version);
    expect(body.features.instrument_failed_10m).toBe(2);
    expect(body.features.user_successful_payments).toBe(1);
    expect(Object.keys(body.features)).toEqual(features.names);
    expect(body.missing).toContain("listing_age_days");
    await app.close();
  });
});

describe("bad input", () => {
  const app = appWith(new MemoryStore());
  const cases: [string, unknown, string][] = [
    ["missing field", { ...checkout("c", T0), user: undefined }, "/user"],
    ["unknown field", { ...checkout("c", T0), coupon: "X" }, "/coupon"],
    [
      "negative amount",
      checkout("c", T0, {
        booking: { amount: -1, currency: "EUR", nights: 1, checkin_at: "2026-04-01T00:00:00Z" },
      }),
      "/booking/amount",
    ],
    ["impossible date", { ...checkout("c", T0), occurred_at: "2026-02-30T10:00:00Z" }, "/occurred_at"],
    [
      "card number in a message",
      checkout("c", T0, { message: { text: "my card 4111 1111 1111 1111 exp 12/29" } }),
      "/message/text",
    ],
  ];
  it.each(cases)("%s → 400 naming the field", async (_label, payload, field) => {
    const res = await app.inject({ method: "POST", url: "/v1/features", payload: payload as object });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.field).toBe(field);
  });

  it("rejects non-JSON and oversized bodies with a 4xx, and stays healthy", async () => {
    const bad = await app.inject({
      method: "POST",
      url: "/v1/events",
      headers: { "content-type": "application/json" },
      payload: "{nope",
    });
    expect(bad.statusCode).toBe(400);
    const huge = await app.inject({
      method: "POST",
      url: "/v1/events",
      payload: { text: "x".repeat(200_000) },
    });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error.code).toBe("body_too_large");
    expect((await app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
  });
});

describe("health", () => {
  it("reports not ready with the reason", async () => {
    const app = appWith(new MemoryStore(), false);
    const res = await app.inject({ method: "GET", url: "/readyz" });
    expect(res.statusCode).toBe(503);
    expect(res.json().problems).toEqual(["redis is connecting"]);
    expect((await app.inject({ method: "GET", url: "/metrics" })).statusCode).toBe(200);
  });
});
