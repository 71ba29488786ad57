// The kill-switch as operators use it, over the real Redis: two (and three) API instances on one key
// prefix stand in for the replicas of one deployment. Per model version: model-versions.test.ts.
import { type ApiHarness, bearer, TOKENS } from "@riskgate/test-support/api-harness";
import { uniquePrefix } from "@riskgate/test-support/services";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ADMIN_ID, ALL_ID, api, get, put, score, untilMode } from "./helpers.ts";

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe("global kill-switch across replicas (real Redis)", () => {
  const shared = uniquePrefix("killswitch");
  let a: ApiHarness;
  let b: ApiHarness;
  beforeAll(async () => {
    a = await api(cleanups, { redis: true, env: { REDIS_KEY_PREFIX: shared } });
    b = await api(cleanups, { redis: true, env: { REDIS_KEY_PREFIX: shared } });
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
    const c = await api(cleanups, { redis: true, env: { REDIS_KEY_PREFIX: shared } });
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
