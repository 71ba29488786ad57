import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MINUTE } from "@riskgate/feature-store/definitions";
import type { Checkout } from "@riskgate/feature-store/events";
import { type ApiHarness, bearer, pseudonymiser, startApi, TOKENS } from "@riskgate/test-support/api-harness";
import { checkout, T0 } from "@riskgate/test-support/events";
import { createKafka, readJsonRecords, waitFor } from "@riskgate/test-support/services";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bucketOf } from "../src/model/model-router.ts";
import { modelCopy } from "./model-copies.ts";

const REVIEW_MESSAGE = { text: "please whatsapp me, details at www.example-pay.com/booking" };
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function api(opts: Parameters<typeof startApi>[0] = {}): Promise<ApiHarness> {
  const h = await startApi({ redis: true, ...opts });
  cleanups.push(() => h.close());
  return h;
}

async function score(h: ApiHarness, body: Checkout | Record<string, unknown>) {
  return h.app.inject({ method: "POST", url: "/v1/score", headers: bearer(TOKENS.score), payload: body });
}

async function openCases(h: ApiHarness): Promise<string[]> {
  return (h.redis as NonNullable<ApiHarness["redis"]>).zrange(`${h.prefix}review:{q}:open`, 0, "-1");
}

describe("POST /v1/score on the real stack", () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await api();
  });

  it("answers with a decision, a calibrated score, the deciding versions and per-stage timings", async () => {
    const res = await score(h, checkout("s-basic", T0));
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(["allow", "review", "block"]).toContain(body.decision);
    expect(body.score).toBeGreaterThanOrEqual(0);
    expect(body.score).toBeLessThanOrEqual(1);
    expect(body.mode).toBe("normal");
    expect(body.model).toEqual({ name: h.router.champion.name, version: h.router.champion.version });
    expect(body.feature_set).toMatch(/^[0-9a-f]{16}$/);
    expect(body.rules_version).toBe(h.rules.version);
    for (const stage of ["features", "rules", "model", "policy", "total"]) {
      expect(body.timings_ms[stage]).toBeGreaterThanOrEqual(0);
    }
    expect(body.timings_ms.total).toBeGreaterThanOrEqual(body.timings_ms.features);
  });

  it("returns the identical decision for a retried event and never opens a second review case", async () => {
    const c = checkout("s-retry", T0, { message: REVIEW_MESSAGE });
    const first = await score(h, c);
    expect(first.json().decision).toBe("review");
    expect(first.json().review_case_id).toBe("rc_s-retry");
    const retries = await Promise.all([1, 2, 3, 4].map(() => score(h, { ...c })));
    for (const r of retries) expect(r.json()).toEqual(first.json());
    // Same body, keys in another order: still a retry.
    const reordered = Object.fromEntries(Object.entries(c).reverse());
    expect((await score(h, reordered)).json()).toEqual(first.json());
    expect((await openCases(h)).filter((id) => id === "rc_s-retry")).toHaveLength(1);
  });

  it("opens exactly one case when the same checkout arrives concurrently", async () => {
    const c = checkout("s-race", T0, { message: REVIEW_MESSAGE });
    const results = await Promise.all(Array.from({ length: 8 }, () => score(h, c)));
    const bodies = results.map((r) => r.json());
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
    expect((await openCases(h)).filter((id) => id === "rc_s-race")).toHaveLength(1);
  });

  it("answers 409 naming event_id when the same event_id comes with another body", async () => {
    await score(h, checkout("s-conflict", T0));
    const res = await score(
      h,
      checkout("s-conflict", T0, {
        booking: { amount: 999, currency: "EUR", nights: 1, checkin_at: "2026-04-01T00:00:00Z" },
      }),
    );
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: "idempotency_conflict", field: "/event_id" });
  });

  it("counts each scored checkout in the velocity features, so the next one of a burst sees it", async () => {
    const user = { id: "u_burst", created_at: "2025-01-01T00:00:00Z" };
    for (let i = 0; i < 3; i++) await score(h, checkout(`s-burst-${i}`, T0 + i * MINUTE, { user }));
    const res = await h.app.inject({
      method: "POST",
      url: "/v1/features",
      headers: { ...bearer(TOKENS.score), "content-type": "application/json" },
      payload: checkout("s-burst-probe", T0 + 3 * MINUTE, { user }),
    });
    expect(res.json().features.user_checkouts_1h).toBe(3);
  });

  it("still counts a checkout whose feature read failed, so the next one of a burst sees it", async () => {
    const h2 = await api();
    const user = { id: "u_unread", created_at: "2025-01-01T00:00:00Z" };
    // The read-and-count call fails (a cluster slot moving, say); the plain apply still works.
    Object.assign(h2.store, { readThenApply: () => Promise.reject(new Error("read refused")) });
    expect((await score(h2, checkout("s-unread", T0, { user }))).json().mode).toBe("degraded");
    Reflect.deleteProperty(h2.store, "readThenApply");
    const res = await h2.app.inject({
      method: "POST",
      url: "/v1/features",
      headers: { ...bearer(TOKENS.score), "content-type": "application/json" },
      payload: checkout("s-unread-probe", T0 + MINUTE, { user }),
    });
    expect(res.json().features.user_checkouts_1h).toBe(1);
  });

  it("gives reviews and blocks reason codes from the rules and from the served model", async () => {
    const body = (await score(h, checkout("s-reasons", T0, { message: REVIEW_MESSAGE }))).json();
    expect(body.decision).toBe("review");
    expect(body.reasons[0].code).toBe("off_platform_contact");
    const modelReasons = body.reasons.filter((r: { code: string }) => r.code.startsWith("MODEL_"));
    expect(modelReasons.length).toBeGreaterThan(0);
    for (const r of modelReasons) expect(r.detail).toMatch(/raised the score \(\+\d/);
  });
});

describe("review capacity", () => {
  it("routes reviews beyond the daily budget to the operator's overflow override and counts them", async () => {
    const h = await api({ env: { REVIEW_CAPACITY_PER_DAY: "2", REVIEW_OVERFLOW_ACTION: "block" } });
    const decisions = [];
    for (let i = 0; i < 3; i++) {
      decisions.push(
        (
          await score(
            h,
            checkout(`cap-${i}`, T0, {
              message: REVIEW_MESSAGE,
              user: { id: `u_cap_${i}`, created_at: "2025-01-01T00:00:00Z" },
            }),
          )
        ).json(),
      );
    }
    expect(decisions.map((d) => d.decision)).toEqual(["review", "review", "block"]);
    expect(decisions[2].reasons.map((r: { code: string }) => r.code)).toContain("REVIEW_CAPACITY_SPENT");
    expect(decisions[2].review_case_id).toBeUndefined();
    expect((await openCases(h)).sort()).toEqual(["rc_cap-0", "rc_cap-1"]);
    expect(await h.registry.getSingleMetricAsString("riskgate_review_overflow_total")).toContain(
      'action="block"} 1',
    );
  });
});

describe("canary and shadow models", () => {
  it("sends the configured share of users to the canary, stably per user", async () => {
    const canary = await modelCopy("canary-test");
    cleanups.push(canary.remove);
    const h = await api({ env: { CANARY_MODEL_DIR: canary.dir, CANARY_PERCENT: "10" } });
    let onCanary = 0;
    for (let i = 0; i < 10_000; i++) if (h.router.route(`user-${i}`).role === "canary") onCanary++;
    expect(Math.abs(onCanary / 10_000 - 0.1)).toBeLessThan(0.01);
    const canaryUser = Array.from({ length: 200 }, (_, i) => `cu-${i}`).find(
      // The router sees the user's pseudonym: identifiers are pseudonymised as the body is decoded.
      (u) => bucketOf(pseudonymiser.id("user", u)) < 1000,
    ) as string;
    const body = (
      await score(
        h,
        checkout("canary-1", T0, { user: { id: canaryUser, created_at: "2025-01-01T00:00:00Z" } }),
      )
    ).json();
    expect(body.model.version).toBe("canary-test");
  });

  it("scores shadow models after the response and never lets them change it", async () => {
    // A shadow that would block everything (declines cost next to nothing): if it ever decided, the
    // answers below would differ, whether the champion allows or reviews these checkouts.
    const shadow = await modelCopy("shadow-test", (m) => {
      Object.assign(m.policy as object, { decline_cost_eur: 1e-9 });
    });
    cleanups.push(shadow.remove);
    const plain = await api();
    const withShadow = await api({ kafka: true, env: { SHADOW_MODEL_DIRS: shadow.dir } });
    for (let i = 0; i < 10; i++) {
      const c = checkout(`shadow-${i}`, T0 + i, {
        user: { id: `u_sh_${i}`, created_at: "2025-01-01T00:00:00Z" },
      });
      const a = (await score(plain, c)).json();
      const b = (await score(withShadow, c)).json();
      expect({ ...b, timings_ms: null }).toEqual({ ...a, timings_ms: null });
      expect(b.model.version).not.toBe("shadow-test");
    }
    await waitFor(
      async () =>
        (await withShadow.registry.getSingleMetricAsString("riskgate_shadow_scores_total")).includes(
          'model_version="shadow-test",agrees="false"',
        ),
      { what: "shadow scores counted" },
    );
  });
});

describe("the decisions topic (training log)", () => {
  it("carries the exact feature vector served, the versions, mode and timings", async () => {
    const h = await api({ kafka: true });
    const c = checkout("log-1", T0, { message: REVIEW_MESSAGE });
    // What the model will see, read just before scoring (reading applies nothing).
    const features = (
      await h.app.inject({
        method: "POST",
        url: "/v1/features",
        headers: { ...bearer(TOKENS.score), "content-type": "application/json" },
        payload: c,
      })
    ).json();
    const served = (await score(h, c)).json();
    const records = await readJsonRecords(
      createKafka("decisions-reader"),
      `${h.topicPrefix}decisions`,
      (rs) => rs.some((r) => r.event_id === "log-1"),
    );
    const record = records.find((r) => r.event_id === "log-1") as Record<string, unknown>;
    expect(record).toMatchObject({
      kind: "decision",
      decision: served.decision,
      score: served.score,
      mode: "normal",
      model: served.model,
      feature_set: served.feature_set,
      rules_version: served.rules_version,
      review_case_id: "rc_log-1",
    });
    expect(record.features).toEqual(features.features);
    expect(record.timings_ms).toEqual(served.timings_ms);
  });

  it("scores each checkout of a parallel burst on one card with the ones counted before it", async () => {
    // A card-testing tool fires its attempts at once: were each checkout counted only after its
    // decision, every one of them would read the card's count from before the burst.
    const h = await api({ kafka: true });
    const user = { id: "u_parallel", created_at: "2025-01-01T00:00:00Z" };
    const ids = Array.from({ length: 10 }, (_, i) => `par-${i}`);
    const answers = await Promise.all(ids.map((id, i) => score(h, checkout(id, T0 + i * 1_000, { user }))));
    for (const a of answers) expect(a.json().mode).toBe("normal");
    const records = await readJsonRecords(
      createKafka("decisions-reader"),
      `${h.topicPrefix}decisions`,
      (rs) => ids.every((id) => rs.some((r) => r.event_id === id)),
    );
    const seen = records.map((r) => (r.features as Record<string, number>).user_checkouts_1h);
    expect(seen.sort((a, b) => (a as number) - (b as number))).toEqual(ids.map((_, i) => i));
  });
});

describe("rules hot reload through the API", () => {
  it("applies a changed rules file without restart and keeps the last good one on a bad file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rg-rules-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, "rules.yaml");
    await copyFile("services/scoring-api/rules/default.yaml", file);
    const h = await api({ env: { RULES_FILE: file } });
    const before = h.rules.version;
    const c = (id: string) =>
      checkout(id, T0, { user: { id: "u_blocklisted", created_at: "2025-01-01T00:00:00Z" } });
    expect((await score(h, c("hr-1"))).json().rules).toEqual([]);

    const original = await readFile(file, "utf8");
    const edited = original
      .replace(/^version: .*$/m, 'version: "hot-reload-test"')
      .replace(/blocked_instruments: \[\]/, "blocked_instruments: [pi_1]");
    await writeFile(file, edited);
    await waitFor(() => h.rules.version === "hot-reload-test", { timeoutMs: 10_000, what: "rules reload" });
    const blocked = (await score(h, c("hr-2"))).json();
    expect(blocked.decision).toBe("block");
    expect(blocked.rules.map((r: { id: string }) => r.id)).toContain("R-BLOCK-LIST-INSTRUMENT");
    expect(blocked.rules_version).toBe("hot-reload-test");

    await writeFile(
      file,
      edited
        .replace(/^version: .*$/m, 'version: "broken"')
        .replace(
          "condition: checkout.payment.instrument_id in lists.blocked_instruments",
          "condition: checkout.payment.instrument_id in (",
        ),
    );
    const result = await h.rules.reload();
    expect(result).toMatchObject({ status: "rejected" });
    expect(h.rules.version).toBe("hot-reload-test");
    expect((await score(h, c("hr-3"))).json().decision).toBe("block");
    expect(before).not.toBe("hot-reload-test");
  });
});
