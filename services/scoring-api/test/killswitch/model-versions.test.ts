// The per-version kill-switch (canary and shadow) across two replicas on the real Redis.
import { type ApiHarness, pseudonymiser, TOKENS } from "@riskgate/test-support/api-harness";
import { uniquePrefix, waitFor } from "@riskgate/test-support/services";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { ScoringModel } from "../../src/decision/types.ts";
import { bucketOf } from "../../src/model/model-router.ts";
import { modelCopy } from "../model-copies.ts";
import { ADMIN_ID, api, get, put, score, untilMode, waitUntil } from "./helpers.ts";

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe("per-version kill-switch (canary and shadow)", () => {
  const shared = uniquePrefix("killswitch-models");
  const CANARY = "canary-ks-1";
  const SHADOW = "shadow-ks-1";
  let a: ApiHarness;
  let b: ApiHarness;
  let canaryUser: string;
  let championUser: string;

  beforeAll(async () => {
    const canary = await modelCopy(CANARY);
    const shadow = await modelCopy(SHADOW);
    cleanups.push(canary.remove, shadow.remove);
    const env = {
      REDIS_KEY_PREFIX: shared,
      CANARY_MODEL_DIR: canary.dir,
      CANARY_PERCENT: "50",
      SHADOW_MODEL_DIRS: shadow.dir,
    };
    a = await api(cleanups, { redis: true, env });
    b = await api(cleanups, { redis: true, env });
    const users = Array.from({ length: 50 }, (_, i) => `u_ks_${i}`);
    // The router sees pseudonyms (identifiers are pseudonymised as the body is decoded).
    const bucket = (u: string) => bucketOf(pseudonymiser.id("user", u));
    canaryUser = users.find((u) => bucket(u) < 5_000) as string;
    championUser = users.find((u) => bucket(u) >= 5_000) as string;
  });

  const userOver = (id: string) => ({ user: { id, created_at: "2025-01-01T00:00:00Z" } });
  const shadowCount = async (h: ApiHarness) => {
    const m = (await h.registry.getSingleMetric("riskgate_shadow_scores_total")?.get())?.values ?? [];
    return m.filter((v) => v.labels.model_version === SHADOW).reduce((s, v) => s + v.value, 0);
  };

  it("lists the loaded models with role and switch state", async () => {
    const res = await get(b, "/v1/admin/models");
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.global_engaged).toBe(false);
    expect(body.models.map((m: { role: string; version: string }) => [m.role, m.version])).toEqual([
      ["champion", b.router.champion.version],
      ["canary", CANARY],
      ["shadow", SHADOW],
    ]);
    expect(body.models[1]).toMatchObject({
      canary_percent: 50,
      serving: true,
      kill_switch: { engaged: false },
    });
  });

  it("answers 404 for a version that is not loaded", async () => {
    const res = await put(
      a,
      { engaged: true, reason: "x" },
      TOKENS.admin,
      "/v1/admin/models/nope/kill-switch",
    );
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toMatchObject({ code: "not_found", field: "version" });
  });

  it("disabling the canary sends its users to the champion on every replica; others are unaffected", async () => {
    expect((await score(b, userOver(canaryUser))).model.version).toBe(CANARY);
    expect((await score(b, userOver(championUser))).model.version).toBe(b.router.champion.version);

    const t0 = performance.now();
    const res = await put(
      a,
      { engaged: true, reason: "canary AUC regression" },
      TOKENS.admin,
      `/v1/admin/models/${CANARY}/kill-switch`,
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      role: "canary",
      version: CANARY,
      serving: false,
      kill_switch: { engaged: true, actor: ADMIN_ID, reason: "canary AUC regression" },
    });
    for (;;) {
      const body = await score(b, userOver(canaryUser));
      if (body.model?.version !== CANARY) break;
      expect(performance.now() - t0).toBeLessThan(1_000);
    }
    for (const h of [a, b]) {
      const canaryUsers = await score(h, userOver(canaryUser));
      expect(canaryUsers).toMatchObject({ mode: "normal", model: { version: h.router.champion.version } });
      const others = await score(h, userOver(championUser));
      expect(others).toMatchObject({ mode: "normal", model: { version: h.router.champion.version } });
    }
    const models = (await get(b, "/v1/admin/models")).json().models;
    expect(models[1]).toMatchObject({ role: "canary", serving: false, kill_switch: { engaged: true } });
    expect(models[0]).toMatchObject({ role: "champion", serving: true });
    expect(await b.registry.metrics()).toMatch(
      new RegExp(`^riskgate_model_switch_engaged\\{version="${CANARY}"\\} 1$`, "m"),
    );
    expect((await get(b, "/v1/admin/kill-switch")).json().engaged).toBe(false);

    await put(
      b,
      { engaged: false, reason: "canary fixed" },
      TOKENS.admin,
      `/v1/admin/models/${CANARY}/kill-switch`,
    );
    await untilCanary(a);
    expect((await score(a, userOver(canaryUser))).model.version).toBe(CANARY);
  });

  async function untilCanary(h: ApiHarness) {
    const t0 = performance.now();
    while ((await score(h, userOver(canaryUser))).model.version !== CANARY) {
      expect(performance.now() - t0).toBeLessThan(1_000);
    }
  }

  it("a disabled shadow is not scored; the deciding models are untouched", async () => {
    const before = await shadowCount(b);
    await score(b, userOver(championUser));
    // Shadows are scored after the answer: wait for the count, with a deadline.
    await waitFor(async () => (await shadowCount(b)) === before + 1, {
      timeoutMs: 5_000,
      intervalMs: 10,
      what: "the shadow's score",
    });

    await put(
      a,
      { engaged: true, reason: "shadow too slow" },
      TOKENS.admin,
      `/v1/admin/models/${SHADOW}/kill-switch`,
    );
    await waitUntil(() => b.killSwitch.versionEngaged(SHADOW));
    const mid = await shadowCount(b);
    const predict = vi.spyOn(b.router.shadows[0] as ScoringModel, "predict");
    const body = await score(b, userOver(championUser));
    expect(body).toMatchObject({ mode: "normal", model: { version: b.router.champion.version } });
    // The service queues shadow scoring with setImmediate and decides synchronously there whether to
    // predict: one turn later, a predict that has not started never will.
    await new Promise((r) => setImmediate(r));
    expect(predict).not.toHaveBeenCalled();
    expect(await shadowCount(b)).toBe(mid);
  });

  it("disabling the champion's version leaves rules only for champion users, the canary still serves its users", async () => {
    const champion = a.router.champion.version;
    await put(
      a,
      { engaged: true, reason: "champion out" },
      TOKENS.admin,
      `/v1/admin/models/${champion}/kill-switch`,
    );
    await untilMode(b, "rules_only", performance.now());
    expect(await score(b, userOver(championUser))).toMatchObject({ mode: "rules_only", model: null });
    expect((await score(b, userOver(canaryUser))).model.version).toBe(CANARY);

    // Global on top: nothing model-based anywhere.
    await put(a, { engaged: true, reason: "everything out" });
    await waitUntil(() => b.killSwitch.globalEngaged());
    expect(await score(b, userOver(canaryUser))).toMatchObject({ mode: "rules_only", model: null });

    const audit = (await get(b, "/v1/admin/audit?limit=3")).json().entries;
    expect(audit.map((e: { target: string }) => e.target)).toEqual([
      "global",
      `model:${champion}`,
      `model:${SHADOW}`,
    ]);
  });
});
