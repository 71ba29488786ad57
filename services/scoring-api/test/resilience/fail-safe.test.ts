// Fail-safe defaults against a real Redis of the test's own, stopped or flushed under the API:
// no 5xx for a valid checkout, no "allow everything" window, no review answer that points at a
// case nobody will see, and a kill-switch an outage or data loss never lifts.
import { randomBytes } from "node:crypto";
import type { Checkout } from "@riskgate/feature-store/events";
import { type ApiHarness, bearer, scoreOk, startApi, TOKENS } from "@riskgate/test-support/api-harness";
import { account, checkout, T0 } from "@riskgate/test-support/events";
import { waitFor } from "@riskgate/test-support/services";
import { Redis } from "ioredis";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { OwnRedis } from "./own-redis.ts";
import { metricValue } from "./steady-load.ts";

const ENV = { DEGRADED_REVIEW_ABOVE_EUR: "500", DEGRADED_BLOCK_ABOVE_EUR: "3000", KILL_SWITCH_POLL_MS: "50" };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
const redisServers: OwnRedis[] = [];
afterAll(async () => {
  for (const r of redisServers) await r.close();
});

async function ownRedis(): Promise<OwnRedis> {
  const r = await OwnRedis.start();
  redisServers.push(r);
  return r;
}

async function api(redis: OwnRedis, env: Record<string, string> = {}): Promise<ApiHarness> {
  const h = await startApi({ redisUrl: redis.url, env: { ...ENV, ...env } });
  cleanups.push(async () => {
    if (!redis.running) h.redis?.disconnect(); // quit() needs a live server
    await h.close().catch(() => h.redis?.disconnect());
  });
  return h;
}

/** A checkout of its own user, device and card (so no velocity of another test's shows). */
function fresh(amount: number, over: Partial<Checkout> = {}): Checkout {
  const id = `fs-${randomBytes(4).toString("hex")}`;
  return checkout(id, T0, {
    user: {
      id: `u_${id}`,
      created_at: "2024-01-01T00:00:00Z",
      email_domain: "example.com",
      email_verified: true,
    },
    device: { id: `d_${id}`, ip: "10.0.0.1", ip_country: "PT", user_agent: "Mozilla/5.0" },
    payment: { instrument_id: `pi_${id}`, type: "card", bin: "424242", country: "PT", billing_country: "PT" },
    booking: { amount, currency: "EUR", nights: 3, checkin_at: new Date(T0 + 14 * 86_400_000).toISOString() },
    ...over,
  });
}

const score = (h: ApiHarness, c: Checkout) => scoreOk(h, c);

const codes = (body: { reasons: { code: string }[] }) => body.reasons.map((r) => r.code);

describe("Redis stopped under the API", () => {
  it("decides degraded checkouts by amount and never answers review without a case", async () => {
    const redis = await ownRedis();
    const h = await api(redis);
    await waitFor(() => h.redis?.status === "ready", { what: "the API's Redis client to connect" });
    expect((await score(h, fresh(120))).mode).toBe("normal");

    await redis.kill();
    const small = await score(h, fresh(120));
    const middle = await score(h, fresh(1_200));
    const large = await score(h, fresh(4_500));
    for (const body of [small, middle, large]) expect(body.mode).toBe("degraded");
    expect(small.decision).toBe("allow");
    // The amount asks for a review, but the queue lives in the Redis that is down: the answer says
    // so and takes the overflow action (block: no score to rank by), with no case id.
    expect(middle.decision).toBe("block");
    expect(middle.review_case_id).toBeUndefined();
    expect(codes(middle)).toEqual(
      expect.arrayContaining(["DEGRADED_AMOUNT_POLICY", "REVIEW_CASE_UNAVAILABLE"]),
    );
    expect(large.decision).toBe("block");
    expect(codes(large)).toContain("DEGRADED_AMOUNT_POLICY");
    const metrics = (await h.app.inject({ method: "GET", url: "/metrics" })).body;
    expect(metrics).toMatch(/riskgate_review_case_unavailable_total\{action="block"\} [1-9]/);
  });

  it("a replica started while Redis is down serves KILL_SWITCH_DEFAULT (engaged) until the store answers", async () => {
    const redis = await ownRedis();
    await redis.kill();
    const h = await api(redis);
    const ks = await h.app.inject({
      method: "GET",
      url: "/v1/admin/kill-switch",
      headers: bearer(TOKENS.admin),
    });
    expect(ks.json()).toMatchObject({ engaged: true, stale: true, last_synced_at: null });
    const body = await score(h, fresh(4_500));
    expect(body).toMatchObject({ decision: "block", model: null });
    await redis.start();
    // The store answers (empty: a new deployment): the assumption gives way to it.
    await waitFor(async () => (await score(h, fresh(120))).mode === "normal", {
      timeoutMs: 10_000,
      what: "the model to serve once Redis answers",
    });
  });
});

/** The routes that call the feature store for a client; each call sends a body of its own. */
const STORE_ROUTES = [
  { url: "/v1/features", ok: 200, body: () => fresh(120) },
  {
    url: "/v1/events",
    ok: 202,
    body: () => {
      const id = `fs-${randomBytes(4).toString("hex")}`;
      return account(id, T0, { user_id: `u_${id}`, device_id: `d_${id}` });
    },
  },
];

describe("the feature store's routes while Redis does not answer", () => {
  it.each(STORE_ROUTES)(
    "POST $url answers 503 features_unavailable with Retry-After within its budget, for a Redis that hangs and one that is gone, without opening scoring's breaker, and $ok once it is back",
    async ({ url, ok, body }) => {
      const redis = await ownRedis();
      const h = await api(redis, {
        // A budget a loaded test machine meets while Redis answers; a frozen Redis still misses it.
        FEATURE_TIMEOUT_MS: "2000",
        // Longer than the budget: the route's own bound must answer a frozen Redis, not the client's.
        REDIS_COMMAND_TIMEOUT_MS: "10000",
        ADMISSION_RETRY_AFTER_SECONDS: "3",
        // Consecutive failures would open the breaker at once, were the route's counted there.
        BREAKER_MIN_FAILURE_SPAN_MS: "0",
      });
      await waitFor(() => h.redis?.status === "ready", { what: "the API's Redis client to connect" });
      const send = () =>
        h.app.inject({
          method: "POST",
          url,
          headers: { ...bearer(TOKENS.all), "content-type": "application/json" },
          payload: body(),
        });
      const expectUnavailable = (res: Awaited<ReturnType<typeof send>>) => {
        expect(res.statusCode, res.body).toBe(503);
        expect(res.headers["retry-after"]).toBe("3");
        expect(res.json()).toEqual({ error: { code: "features_unavailable", message: expect.any(String) } });
      };
      const doc = (await h.app.inject({ method: "GET", url: "/docs/json" })).json();
      expect(Object.keys(doc.paths[url].post.responses)).toContain("503");
      expect((await send()).statusCode).toBe(ok);

      redis.pause(); // connections stay open, commands get no answer
      const pausedAt = performance.now();
      let hung: Awaited<ReturnType<typeof send>>;
      try {
        hung = await send();
      } finally {
        redis.resume();
      }
      expectUnavailable(hung);
      expect(performance.now() - pausedAt, "answered by the 2 s budget, not the 10 s timeout").toBeLessThan(
        8_000,
      );

      await redis.kill(); // connection refused
      // One more than BREAKER_FAILURE_THRESHOLD (5) failures in a row.
      for (let i = 0; i < 6; i++) expectUnavailable(await send());
      const metrics = (await h.app.inject({ method: "GET", url: "/metrics" })).body;
      const opened = metricValue(metrics, "riskgate_breaker_transitions_total", {
        dependency: "redis",
        to: "open",
      });
      expect(opened ?? 0).toBe(0);

      await redis.start();
      await waitFor(async () => (await send()).statusCode === ok, {
        timeoutMs: 10_000,
        what: `POST ${url} to answer ${ok} once Redis is back`,
      });
    },
  );
});

describe("Redis flushed under the API", () => {
  it("keeps an engaged kill-switch engaged on every replica and writes it back, audited", async () => {
    const redis = await ownRedis();
    const shared = { REDIS_KEY_PREFIX: `fs-ks-${randomBytes(3).toString("hex")}:` };
    const a = await api(redis, shared);
    const b = await api(redis, shared);
    const put = await a.app.inject({
      method: "PUT",
      url: "/v1/admin/kill-switch",
      headers: { ...bearer(TOKENS.admin), "content-type": "application/json" },
      payload: { engaged: true, reason: "incident 4711" },
    });
    expect(put.statusCode).toBe(200);
    await waitFor(() => b.killSwitch.globalEngaged(), { what: "B to follow" });

    const admin = new Redis(redis.url);
    cleanups.push(async () => void (await admin.quit()));
    await admin.flushall();
    const until = performance.now() + 1_000;
    while (performance.now() < until) {
      for (const h of [a, b]) {
        expect(h.killSwitch.globalEngaged()).toBe(true);
        // rules_only, or degraded when a feature read misses its budget on a loaded box: never the model.
        expect((await score(h, fresh(120))).model).toBeNull();
      }
    }
    const audit = await a.app.inject({
      method: "GET",
      url: "/v1/admin/audit?limit=5",
      headers: bearer(TOKENS.admin),
    });
    expect(audit.json().entries[0]).toMatchObject({
      target: "global",
      engaged: true,
      actor: "system:replica-restore",
    });
  });
});
