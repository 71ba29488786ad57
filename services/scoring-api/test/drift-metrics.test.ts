// Drift metrics over HTTP on the real Redis: a stream that goes silent moves its features' default
// share and PSI against the manifest's training distribution, as Prometheus gauges.
import { MINUTE } from "@riskgate/feature-store/definitions";
import type { Checkout } from "@riskgate/feature-store/events";
import { update } from "@riskgate/feature-store/update";
import { type ApiHarness, bearer, pseudonymiser, startApi, TOKENS } from "@riskgate/test-support/api-harness";
import { account, checkout, T0 } from "@riskgate/test-support/events";
import { afterAll, describe, expect, it } from "vitest";
import { modelCopy } from "./model-copies.ts";

// These tests assert the policy's (or the drift window's) answers, so a feature read or inference
// slowed by a busy machine must not degrade the checkout to rules.
const PATIENT = { FEATURE_TIMEOUT_MS: "5000", MODEL_TIMEOUT_MS: "5000", REDIS_COMMAND_TIMEOUT_MS: "5000" };
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

// Training: 5 % of rows had no login from the checkout's IP in the hour (the default, 0).
const MONITORING = {
  features: {
    ip_logins_1h: { edges: [1], train_share: [0.05, 0.95], default_value: 0, default_share: 0.05 },
    user_logins_24h: { edges: [1], train_share: [0.05, 0.95], default_value: 0, default_share: 0.05 },
  },
  score: { edges: [0.01, 0.1], train_share: [0.9, 0.08, 0.02] },
};

async function api(monitoring: unknown, now: () => number): Promise<ApiHarness> {
  const copy = await modelCopy("drift-test", (m) => {
    // undefined: a manifest without training distributions, whatever the champion carries
    if (monitoring) m.monitoring = monitoring;
    else delete m.monitoring;
  });
  cleanups.push(copy.remove);
  const h = await startApi({ redis: true, env: { MODEL_DIR: copy.dir, ...PATIENT }, now });
  cleanups.push(() => h.close());
  return h;
}

function visitor(i: number): Checkout {
  const id = `dr-${i}`;
  return checkout(id, T0 + i * 1_000, {
    user: {
      id: `u_${id}`,
      created_at: "2025-01-01T00:00:00Z",
      email_domain: "example.com",
      email_verified: true,
    },
    device: { id: `d_${id}`, ip: `10.2.${i >> 8}.${i & 255}`, ip_country: "PT", user_agent: "Mozilla/5.0" },
  });
}

async function loginThenCheckout(h: ApiHarness, i: number, login: boolean) {
  const c = visitor(i);
  if (login) {
    // Straight into the store, as the consumer writes it: identifiers pseudonymised.
    const login = account(`lg-${i}`, Date.parse(c.occurred_at) - 10 * MINUTE, {
      user_id: c.user.id,
      device_id: c.device.id,
      ip: c.device.ip,
    });
    await h.store.apply(update(pseudonymiser.event(login, "client")));
  }
  const res = await h.app.inject({
    method: "POST",
    url: "/v1/score",
    headers: bearer(TOKENS.score),
    payload: c,
  });
  expect(res.statusCode).toBe(200);
}

async function series(h: ApiHarness, name: string): Promise<Map<string, number>> {
  const metric = h.registry.getSingleMetric(name);
  if (!metric) throw new Error(`${name} is not registered`);
  const { values } = await metric.get();
  return new Map(values.map((v) => [String(v.labels.feature ?? v.labels.model_version ?? ""), v.value]));
}

describe("drift metrics", () => {
  it("raise a silent stream's default share and PSI far above training", async () => {
    const clock = T0 + 30 * 86_400_000;
    const h = await api(MONITORING, () => clock);
    expect([...(await series(h, "riskgate_drift_reference")).values()]).toEqual([1]);
    expect((await series(h, "riskgate_feature_default_share_train")).get("ip_logins_1h")).toBe(0.05);

    // Healthy: 19 of 20 checkouts follow a login from the same IP, as in training.
    for (let i = 0; i < 20; i++) await loginThenCheckout(h, i, i !== 0);
    const healthy = await series(h, "riskgate_feature_default_share");
    const healthyPsi = await series(h, "riskgate_feature_psi");
    expect(healthy.get("ip_logins_1h")).toBeCloseTo(0.05, 12);
    expect(healthyPsi.get("ip_logins_1h")).toBeLessThan(0.01);
    // Features without a training distribution report their default share but no PSI.
    expect(healthy.has("booking_amount_eur")).toBe(true);
    expect(healthyPsi.has("booking_amount_eur")).toBe(false);

    // The login stream goes silent: 20 more checkouts with no login behind them.
    for (let i = 20; i < 40; i++) await loginThenCheckout(h, i, false);
    const silent = await series(h, "riskgate_feature_default_share");
    const silentPsi = await series(h, "riskgate_feature_psi");
    expect(silent.get("ip_logins_1h")).toBeCloseTo(21 / 40, 12);
    expect(silent.get("user_logins_24h")).toBeCloseTo(21 / 40, 12);
    expect(silentPsi.get("ip_logins_1h")).toBeGreaterThan(0.25);
    expect((await series(h, "riskgate_drift_window_checkouts")).get("")).toBe(40);
    expect((await series(h, "riskgate_score_psi")).size).toBe(1);
    expect(await h.registry.getSingleMetricAsString("riskgate_model_score")).toContain(
      "riskgate_model_score_count 40",
    );
  });

  it("report no reference for a model whose manifest has no monitoring block", async () => {
    const h = await api(undefined, () => T0);
    await loginThenCheckout(h, 100, false);
    expect([...(await series(h, "riskgate_drift_reference")).values()]).toEqual([0]);
    expect((await series(h, "riskgate_feature_psi")).size).toBe(0);
    expect((await series(h, "riskgate_score_psi")).size).toBe(0);
    expect((await series(h, "riskgate_feature_default_share")).get("ip_logins_1h")).toBe(1);
  });

  it("name the lifetime counters and ages, whose PSI the drift alert leaves out", async () => {
    const h = await api(MONITORING, () => T0);
    const grows = await series(h, "riskgate_feature_grows_with_age");
    for (const f of ["user_successful_payments", "instrument_successful_payments", "account_age_days"])
      expect(grows.get(f)).toBe(1);
    for (const f of ["user_days_since_first_seen", "listing_age_days", "host_listings_created"])
      expect(grows.get(f)).toBe(1);
    // Windowed counts and capped hours-since come back to their training range: alerted on.
    for (const f of ["ip_logins_1h", "user_hours_since_password_reset", "booking_amount_eur"])
      expect(grows.has(f)).toBe(false);
  });
});
