// The kill-switch as operators use it, over the real Redis: two (and three) API instances on one key
// prefix stand in for the replicas of one deployment.
import { createHash, randomBytes } from "node:crypto";
import type { Checkout } from "@riskgate/feature-store/events";
import { type ApiHarness, bearer, startApi, TOKENS } from "@riskgate/test-support/api-harness";
import { checkout, T0 } from "@riskgate/test-support/events";
import { uniquePrefix } from "@riskgate/test-support/services";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { bucketOf } from "../../src/model/model-router.ts";
import { modelCopy } from "../model-copies.ts";

const keyId = (token: string) => `key_${createHash("sha256").update(token).digest("hex").slice(0, 8)}`;
const ADMIN_ID = keyId(TOKENS.admin);
const ALL_ID = keyId(TOKENS.all);

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function api(opts: Parameters<typeof startApi>[0] = {}): Promise<ApiHarness> {
  const h = await startApi(opts);
  cleanups.push(() => h.close());
  return h;
}

let seq = 0;
const eventId = (tag: string) => `ks-${tag}-${++seq}-${randomBytes(3).toString("hex")}`;

async function score(h: ApiHarness, over: Partial<Checkout> = {}, tag = "s") {
  const res = await h.app.inject({
    method: "POST",
    url: "/v1/score",
    headers: bearer(TOKENS.score),
    payload: checkout(eventId(tag), T0, over),
  });
  expect(res.statusCode).toBe(200);
  return res.json();
}

function put(h: ApiHarness, payload: unknown, token = TOKENS.admin, url = "/v1/admin/kill-switch") {
  return h.app.inject({
    method: "PUT",
    url,
    headers: { ...bearer(token), "content-type": "application/json" },
    payload: typeof payload === "string" ? payload : JSON.stringify(payload),
  });
}

const get = (h: ApiHarness, url: string, token = TOKENS.admin) =>
  h.app.inject({ method: "GET", url, headers: bearer(token) });

/** Polls B's /v1/score until it answers `mode`; returns the time taken. */
async function untilMode(h: ApiHarness, mode: string, from: number, limitMs = 3_000): Promise<number> {
  for (;;) {
    const body = await score(h, {}, "probe");
    if (body.mode === mode) return performance.now() - from;
    if (performance.now() - from > limitMs) throw new Error(`still ${body.mode} after ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("global kill-switch across replicas (real Redis)", () => {
  const shared = uniquePrefix("killswitch");
  let a: ApiHarness;
  let b: ApiHarness;
  beforeAll(async () => {
    a = await api({ redis: true, env: { REDIS_KEY_PREFIX: shared } });
    b = await api({ redis: true, env: { REDIS_KEY_PREFIX: shared } });
  });

  it("starts disengaged with the model deciding", async () => {
    const res = await get(b, "/v1/admin/kill-switch");
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      engaged: false,
      version: 0,
      mode: "normal",
      store: "redis",
      stale: false,
      actor: null,
    });
    expect((await score(b)).mode).toBe("normal");
  });

  it("engaged on A, B decides on rules alone within a second and shows who, when, why, version", async () => {
    const t0 = performance.now();
    const res = await put(a, { engaged: true, reason: "model drift incident 4711" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ engaged: true, mode: "rules_only", actor: ADMIN_ID, version: 1 });
    const took = await untilMode(b, "rules_only", t0);
    console.info(
      `kill-switch propagation A→B (PUT start to B's first rules_only score): ${took.toFixed(1)} ms`,
    );
    expect(took).toBeLessThan(1_000);

    const body = await score(b);
    expect(body).toMatchObject({ mode: "rules_only", model: null, score: null });
    expect((await score(a)).mode).toBe("rules_only");

    const state = (await get(b, "/v1/admin/kill-switch")).json();
    expect(state).toMatchObject({
      engaged: true,
      reason: "model drift incident 4711",
      actor: ADMIN_ID,
      version: 1,
      mode: "rules_only",
      stale: false,
    });
    expect(Date.parse(state.changed_at)).toBeGreaterThan(Date.now() - 60_000);
    expect(state.actor).not.toContain(TOKENS.admin);

    const metrics = await b.registry.metrics();
    expect(metrics).toMatch(/^riskgate_kill_switch_engaged 1$/m);
    expect(metrics).toMatch(/^riskgate_kill_switch_version 1$/m);
  });

  it("disengaged (by another admin key) on B, both replicas score with the model again", async () => {
    const t0 = performance.now();
    const res = await put(b, { engaged: false, reason: "drift fixed, model 20261126 retrained" }, TOKENS.all);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ engaged: false, mode: "normal", actor: ALL_ID, version: 2 });
    const took = await untilMode(a, "normal", t0);
    expect(took).toBeLessThan(1_000);
    for (const h of [a, b]) {
      const body = await score(h);
      expect(body.mode).toBe("normal");
      expect(body.model).toEqual({ name: h.router.champion.name, version: h.router.champion.version });
    }
    expect(await a.registry.metrics()).toMatch(/^riskgate_kill_switch_engaged 0$/m);
  });

  it("keeps every change in the audit log, newest first, with actor ids and reasons", async () => {
    for (const h of [a, b]) {
      const res = await get(h, "/v1/admin/audit?limit=10");
      expect(res.statusCode).toBe(200);
      const { entries } = res.json();
      expect(entries).toHaveLength(2);
      expect(entries[0]).toMatchObject({
        version: 2,
        target: "global",
        engaged: false,
        previous_engaged: true,
        actor: ALL_ID,
        reason: "drift fixed, model 20261126 retrained",
      });
      expect(entries[1]).toMatchObject({
        version: 1,
        target: "global",
        engaged: true,
        previous_engaged: false,
        actor: ADMIN_ID,
        reason: "model drift incident 4711",
      });
      expect(Date.parse(entries[0].changed_at)).toBeGreaterThanOrEqual(Date.parse(entries[1].changed_at));
    }
    const one = (await get(a, "/v1/admin/audit?limit=1")).json();
    expect(one.entries.map((e: { version: number }) => e.version)).toEqual([2]);
    for (const bad of ["0", "1001", "abc", "-1", "1.5"]) {
      const res = await get(a, `/v1/admin/audit?limit=${bad}`);
      expect(res.statusCode, bad).toBe(400);
      expect(res.json().error.field).toBe("limit");
    }
  });

  it("survives a restart: an instance started after an engage comes up engaged", async () => {
    expect((await put(a, { engaged: true, reason: "restart check" })).statusCode).toBe(200);
    const c = await api({ redis: true, env: { REDIS_KEY_PREFIX: shared } });
    expect(c.killSwitch.globalEngaged()).toBe(true);
    expect((await score(c)).mode).toBe("rules_only");
    expect((await get(c, "/v1/admin/kill-switch")).json()).toMatchObject({
      engaged: true,
      reason: "restart check",
      version: 3,
    });
    expect((await put(c, { engaged: false, reason: "restart check done" })).statusCode).toBe(200);
    await untilMode(a, "normal", performance.now());
    await untilMode(b, "normal", performance.now());
  });

  it("accepts the curl one-liner without a content-type (form encoding read as JSON)", async () => {
    const res = await a.app.inject({
      method: "PUT",
      url: "/v1/admin/kill-switch",
      headers: { ...bearer(TOKENS.admin), "content-type": "application/x-www-form-urlencoded" },
      payload: '{"engaged": false, "reason": "curl check"}',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ engaged: false, reason: "curl check" });
  });

  it("refuses non-admin keys (403) and missing or unknown keys (401), on every admin route", async () => {
    const routes: [string, string][] = [
      ["GET", "/v1/admin/kill-switch"],
      ["PUT", "/v1/admin/kill-switch"],
      ["GET", "/v1/admin/models"],
      ["PUT", `/v1/admin/models/${a.router.champion.version}/kill-switch`],
      ["GET", "/v1/admin/audit"],
    ];
    const body = JSON.stringify({ engaged: true, reason: "should not apply" });
    for (const [method, url] of routes) {
      for (const token of [TOKENS.score, TOKENS.review]) {
        const res = await a.app.inject({
          method: method as "GET" | "PUT",
          url,
          headers: { ...bearer(token), "content-type": "application/json" },
          ...(method === "PUT" ? { payload: body } : {}),
        });
        expect(res.statusCode, `${method} ${url}`).toBe(403);
        expect(res.json().error).toMatchObject({ code: "forbidden" });
      }
      for (const headers of [{}, bearer("not-a-configured-key-000000")]) {
        const res = await a.app.inject({ method: method as "GET" | "PUT", url, headers });
        expect(res.statusCode, `${method} ${url}`).toBe(401);
      }
    }
    expect(a.killSwitch.globalEngaged()).toBe(false);
    expect((await get(a, "/v1/admin/audit")).json().entries).toHaveLength(5);
  });

  it("answers 400 naming the field for a bad body, and changes nothing", async () => {
    const cases: [unknown, string][] = [
      [{ reason: "no engaged" }, "/engaged"],
      [{ engaged: "yes", reason: "string engaged" }, "/engaged"],
      [{ engaged: 1, reason: "number engaged" }, "/engaged"],
      [{ engaged: true }, "/reason"],
      [{ engaged: false }, "/reason"],
      [{ engaged: true, reason: "" }, "/reason"],
      [{ engaged: true, reason: "   " }, "/reason"],
      [{ engaged: true, reason: 42 }, "/reason"],
      [{ engaged: true, reason: "x".repeat(501) }, "/reason"],
      [{ engaged: true, reason: "ok", actor: "someone-else" }, "/actor"],
      [[{ engaged: true, reason: "array" }], "/"],
      ["null", "/"],
      ["{not json", "/"],
    ];
    const before = a.killSwitch.status().store_version;
    for (const [payload, field] of cases) {
      for (const url of [
        "/v1/admin/kill-switch",
        `/v1/admin/models/${a.router.champion.version}/kill-switch`,
      ]) {
        const res = await put(a, payload, TOKENS.admin, url);
        expect(res.statusCode, `${JSON.stringify(payload)} → ${url}`).toBe(400);
        expect(res.json().error.field, JSON.stringify(payload)).toBe(field);
      }
    }
    expect((await put(a, { engaged: false, reason: "x".repeat(500) })).statusCode).toBe(200);
    expect(a.killSwitch.status().store_version).toBe(before + 1);
  });

  it("answers 503 and changes nothing when the store cannot be reached", async () => {
    const before = a.killSwitch.status().store_version;
    const set = vi.spyOn(a.killSwitch, "set").mockRejectedValueOnce(new Error("Connection is closed."));
    const audit = vi.spyOn(a.killSwitch, "audit").mockRejectedValueOnce(new Error("Command timed out"));
    try {
      const res = await put(a, { engaged: true, reason: "during a Redis outage" });
      expect(res.statusCode).toBe(503);
      expect(res.json().error.code).toBe("kill_switch_unavailable");
      expect((await get(a, "/v1/admin/audit")).statusCode).toBe(503);
    } finally {
      set.mockRestore();
      audit.mockRestore();
    }
    expect(a.killSwitch.globalEngaged()).toBe(false);
    expect(a.killSwitch.status().store_version).toBe(before);
  });

  it("documents the admin routes in the OpenAPI document", async () => {
    const doc = (await a.app.inject({ method: "GET", url: "/docs/json" })).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/v1/admin/kill-switch",
        "/v1/admin/models",
        "/v1/admin/models/{version}/kill-switch",
        "/v1/admin/audit",
      ]),
    );
    const put = doc.paths["/v1/admin/kill-switch"].put;
    expect(put.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(put.responses)).toEqual(expect.arrayContaining(["200", "400", "401", "403"]));
    const bodySchema = put.requestBody.content["application/json"].schema;
    expect(bodySchema.required).toEqual(expect.arrayContaining(["engaged", "reason"]));
    expect(Object.keys(doc.paths["/v1/admin/models/{version}/kill-switch"].put.responses)).toContain("404");
  });
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
    a = await api({ redis: true, env });
    b = await api({ redis: true, env });
    const users = Array.from({ length: 50 }, (_, i) => `u_ks_${i}`);
    canaryUser = users.find((u) => bucketOf(u) < 5_000) as string;
    championUser = users.find((u) => bucketOf(u) >= 5_000) as string;
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
    await new Promise((r) => setTimeout(r, 50));
    expect(await shadowCount(b)).toBe(before + 1);

    await put(
      a,
      { engaged: true, reason: "shadow too slow" },
      TOKENS.admin,
      `/v1/admin/models/${SHADOW}/kill-switch`,
    );
    const t0 = performance.now();
    while (!b.killSwitch.versionEngaged(SHADOW)) {
      expect(performance.now() - t0).toBeLessThan(1_000);
      await new Promise((r) => setTimeout(r, 10));
    }
    const mid = await shadowCount(b);
    const body = await score(b, userOver(championUser));
    expect(body).toMatchObject({ mode: "normal", model: { version: b.router.champion.version } });
    await new Promise((r) => setTimeout(r, 50));
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

async function waitUntil(check: () => boolean) {
  const t0 = performance.now();
  while (!check()) {
    if (performance.now() - t0 > 1_000) throw new Error("not within 1 s");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("embedded mode (no Redis)", () => {
  it("works for a single instance with the same API", async () => {
    const h = await api();
    expect((await get(h, "/v1/admin/kill-switch")).json()).toMatchObject({
      engaged: false,
      store: "memory",
      stale: false,
    });
    expect((await score(h)).mode).toBe("normal");
    const res = await put(h, { engaged: true, reason: "embedded drill" });
    expect(res.json()).toMatchObject({ engaged: true, actor: ADMIN_ID, version: 1, mode: "rules_only" });
    expect(await score(h)).toMatchObject({ mode: "rules_only", model: null });
    await put(h, { engaged: false, reason: "embedded drill over" });
    expect((await score(h)).mode).toBe("normal");
    const audit = (await get(h, "/v1/admin/audit")).json().entries;
    expect(audit.map((e: { engaged: boolean; reason: string }) => [e.engaged, e.reason])).toEqual([
      [false, "embedded drill over"],
      [true, "embedded drill"],
    ]);
    const models = (await get(h, "/v1/admin/models")).json().models;
    expect(models).toEqual([
      expect.objectContaining({
        role: "champion",
        serving: true,
        kill_switch: expect.objectContaining({ version: 0 }),
      }),
    ]);
  });
});
