import { FEATURES, FeatureSet, MINUTE } from "@riskgate/feature-store/definitions";
import { type ApiHarness, bearer, startApi, TOKENS } from "@riskgate/test-support/api-harness";
import { checkout, payment, T0 } from "@riskgate/test-support/events";
import { scanKeys } from "@riskgate/test-support/services";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const features = new FeatureSet(FEATURES);
const harnesses: ApiHarness[] = [];
afterAll(async () => {
  for (const h of harnesses) await h.close();
});

async function appWith(redis: boolean) {
  const h = await startApi({ redis });
  harnesses.push(h);
  return h.app;
}

const stores: [string, boolean][] = [
  ["memory", false],
  ["redis", true],
];

describe.each(stores)("feature read and event intake over HTTP (%s store)", (_name, redis) => {
  it("accepts events and serves the features a checkout would be scored with", async () => {
    const app = await appWith(redis);
    for (const [i, status] of (["failed", "failed", "succeeded"] as const).entries()) {
      const res = await app.inject({
        method: "POST",
        url: "/v1/events",
        headers: { ...bearer(TOKENS.all), "content-type": "application/json" },
        payload: payment(`p${i}`, T0 - (i + 1) * MINUTE, { status }),
      });
      expect(res.statusCode).toBe(202);
      expect(res.json()).toEqual({ event_id: `p${i}`, outcome: "applied" });
    }
    const replay = await app.inject({
      method: "POST",
      url: "/v1/events",
      headers: { ...bearer(TOKENS.all), "content-type": "application/json" },
      payload: payment("p0", T0 - MINUTE),
    });
    expect(replay.statusCode).toBe(200);
    expect(replay.json().outcome).toBe("duplicate");

    const res = await app.inject({
      method: "POST",
      url: "/v1/features",
      headers: { ...bearer(TOKENS.all), "content-type": "application/json" },
      payload: checkout("c1", T0),
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.feature_set).toBe(features.version);
    expect(body.features.instrument_failed_10m).toBe(2);
    expect(body.features.user_successful_payments).toBe(1);
    expect(Object.keys(body.features)).toEqual(features.names);
    expect(body.missing).toContain("listing_age_days");
  });
});

describe("a feature store that answers wrongly", () => {
  it("is a 500 internal (a bug a retry cannot fix), not a 503 the client would retry", async () => {
    const h = await startApi({ redis: true });
    harnesses.push(h);
    const redis = h.redis;
    if (!redis) throw new Error("the harness has no Redis");
    const post = (i: number) =>
      h.app.inject({
        method: "POST",
        url: "/v1/events",
        headers: { ...bearer(TOKENS.all), "content-type": "application/json" },
        payload: payment(`wt${i}`, T0 - MINUTE + i, {
          user_id: "u_wrongtype",
          payment_instrument_id: "pi_wrongtype",
        }),
      });
    expect((await post(0)).statusCode).toBe(202);
    // Corrupt the entities' state: every key the event wrote becomes a stream, a type no store
    // command accepts, so the next apply's script fails with WRONGTYPE while Redis is healthy.
    const keys = await scanKeys(redis, `${h.prefix}*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      await redis.del(key);
      await redis.xadd(key, "*", "corrupt", "1");
    }
    const res = await post(1);
    expect(res.statusCode, res.body).toBe(500);
    expect(res.headers["retry-after"]).toBeUndefined();
    expect(res.json()).toEqual({ error: { code: "internal", message: "internal error" } });
  });
});

describe("bad input on the feature read", () => {
  let app: Awaited<ReturnType<typeof appWith>>;
  beforeAll(async () => {
    app = await appWith(false);
  });
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
    const res = await app.inject({
      method: "POST",
      url: "/v1/features",
      headers: { ...bearer(TOKENS.all), "content-type": "application/json" },
      payload: payload as object,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.field).toBe(field);
  });

  it("requires a score key to read features and an admin key to write events", async () => {
    const read = await app.inject({ method: "POST", url: "/v1/features", payload: checkout("c", T0) });
    expect(read.statusCode).toBe(401);
    const write = await app.inject({
      method: "POST",
      url: "/v1/events",
      headers: bearer(TOKENS.score),
      payload: payment("p", T0),
    });
    expect(write.statusCode).toBe(403);
  });

  it("rejects non-JSON and oversized bodies with a 4xx, and stays healthy", async () => {
    const bad = await app.inject({
      method: "POST",
      url: "/v1/events",
      headers: { ...bearer(TOKENS.all), "content-type": "application/json" },
      payload: "{nope",
    });
    expect(bad.statusCode).toBe(400);
    const huge = await app.inject({
      method: "POST",
      url: "/v1/events",
      headers: { ...bearer(TOKENS.all), "content-type": "application/json" },
      payload: { text: "x".repeat(200_000) },
    });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error.code).toBe("body_too_large");
    expect((await app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
  });
});

describe("health", () => {
  it("is ready on embedded defaults and serves metrics", async () => {
    const app = await appWith(false);
    const res = await app.inject({ method: "GET", url: "/readyz" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ready: true, problems: [] });
    const metrics = await app.inject({ method: "GET", url: "/metrics" });
    expect(metrics.body).toContain("riskgate_model_info");
  });
});
