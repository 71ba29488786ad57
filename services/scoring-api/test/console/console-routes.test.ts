// The console's JSON (session, live summary) and its static files, on the embedded service (no
// Redis, no Kafka): who may read what, the summary's numbers, and the headers the page is served with.

import { type ApiHarness, bearer, startApi, TOKENS } from "@riskgate/test-support/api-harness";
import { checkout } from "@riskgate/test-support/events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reviewCheckout } from "../review/helpers.ts";

const ALICE = "alice-admin-key-0123456789abcdef";
const BOB = "bob-review-key-0123456789abcdef";

describe("console routes", () => {
  let api: ApiHarness;
  const get = (url: string, token?: string) =>
    api.app.inject({ method: "GET", url, ...(token ? { headers: bearer(token) } : {}) });

  beforeAll(async () => {
    api = await startApi({
      env: { RISKGATE_API_KEYS: `score:${TOKENS.score},alice=admin:${ALICE},bob=review:${BOB}` },
    });
  });
  afterAll(async () => {
    await api?.close();
  });

  it("GET /v1/console/session names the key holder and its scopes; 401 without a valid key", async () => {
    expect((await get("/v1/console/session", ALICE)).json()).toEqual({
      name: "alice",
      key_id: expect.stringMatching(/^key_[0-9a-f]{8}$/),
      scopes: ["admin"],
    });
    const unnamed = (await get("/v1/console/session", TOKENS.score)).json();
    expect(unnamed.name).toBe(unnamed.key_id);
    expect((await get("/v1/console/session")).statusCode).toBe(401);
    expect((await get("/v1/console/session", "not-a-key-0123456789abc")).statusCode).toBe(401);
  });

  it("GET /v1/console/summary: admin or review scope; a score-only key gets 403 naming both", async () => {
    expect((await get("/v1/console/summary", ALICE)).statusCode).toBe(200);
    expect((await get("/v1/console/summary", BOB)).statusCode).toBe(200);
    const res = await get("/v1/console/summary", TOKENS.score);
    expect(res.statusCode).toBe(403);
    expect(res.json().error.message).toContain("'admin' or 'review'");
  });

  it("summarises the decisions scored, the review backlog, the models and the rules that hit", async () => {
    const at = Date.now() - 60_000;
    const decided: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await api.app.inject({
        method: "POST",
        url: "/v1/score",
        headers: bearer(TOKENS.score),
        payload:
          i === 0
            ? reviewCheckout(`cr-${i}`, at)
            : checkout(`cr-${i}`, at, { user: { id: `u-cr-${i}`, created_at: "2025-01-01T00:00:00Z" } }),
      });
      expect(res.statusCode).toBe(200);
      decided.push(res.json().decision);
    }
    expect(decided[0]).toBe("review");
    const s = (await get("/v1/console/summary", BOB)).json();
    const d = s.decisions;
    expect(d.per_second).toBeGreaterThan(0);
    expect(d.by_outcome.allow + d.by_outcome.review + d.by_outcome.block).toBeCloseTo(d.per_second, 6);
    expect(d.by_mode.normal).toBeCloseTo(d.per_second, 6);
    expect(d.degraded_share).toBe(0);
    expect(s.latency_ms.p50).toBeGreaterThan(0);
    expect(s.latency_ms.p99).toBeGreaterThanOrEqual(s.latency_ms.p50);
    expect(s.review).toMatchObject({ claimed: 0, sla_minutes: 240 });
    expect(s.review.open).toBe(decided.filter((x) => x === "review").length);
    expect(s.review.sla_remaining_seconds).toBeGreaterThan(0);
    expect(s.models).toEqual([
      expect.objectContaining({
        role: "champion",
        serving: true,
        version: api.router.champion.version,
        decided_share: 1,
      }),
    ]);
    expect(s.kill_switch).toEqual({ global_engaged: false, stale: false });
    expect(s.breakers.map((b: { dependency: string }) => b.dependency)).toEqual(["model"]);
    expect(s.rules.length).toBeGreaterThan(0);
    expect(s.rules[0].total).toBeGreaterThanOrEqual(1);
  });

  it("the review case keeps the features and rules it was scored with", async () => {
    const c = (await get("/v1/review/cases/rc_cr-0", BOB)).json();
    expect(Object.keys(c.features).length).toBeGreaterThan(10);
    expect(c.rules.length).toBeGreaterThan(0);
    expect(c.rules[0]).toEqual({
      id: expect.any(String),
      action: expect.any(String),
      shadow: expect.any(Boolean),
    });
  });

  it("serves the console page same-origin only, its hashed assets immutable, nothing else", async () => {
    const root = await get("/console");
    expect(root.statusCode).toBe(301);
    expect(root.headers.location).toBe("/console/");
    const page = await get("/console/");
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toContain("text/html");
    expect(page.headers["cache-control"]).toBe("no-cache");
    expect(page.headers["content-security-policy"]).toContain("default-src 'self'");
    expect(page.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(page.body)?.[1] as string;
    expect(page.body).not.toMatch(/https?:\/\//);
    const js = await get(script);
    expect(js.statusCode).toBe(200);
    expect(js.headers["content-type"]).toContain("text/javascript");
    expect(js.headers["cache-control"]).toContain("immutable");
    for (const url of ["/console/nope.js", "/console/../package.json", "/console/%2e%2e/package.json"]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
    }
  });
});
