// The acceptance for POST /v1/score: malformed bodies get a 4xx naming the field, never a
// 5xx; nothing is written for them (no decision, no review case, no velocity update); the service
// is healthy afterwards. Runs on the Redis-backed API, wired exactly as main.ts wires it.

import { update } from "@riskgate/feature-store/update";
import { type ApiHarness, bearer, pseudonymiser, startApi, TOKENS } from "@riskgate/test-support/api-harness";
import { checkout, T0 } from "@riskgate/test-support/events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { caseIdFor } from "../src/review/review-queue.ts";
import { CASES } from "./bad-input-cases.ts";

const idFor = (i: number) => `bad_${String(i).padStart(3, "0")}`;

/** The entities of the valid checkout the bad bodies are variations of, as the API keys them. */
const ENTITIES = update({ type: "checkout", ...pseudonymiser.checkout(checkout("probe", T0)) }).entities;

describe("POST /v1/score rejects malformed bodies (Redis-backed API)", () => {
  let api: ApiHarness;
  /** Every event id a bad body carried: none may leave a trace. */
  const badIds = new Set<string>();
  const statuses: { label: string; status: number }[] = [];

  beforeAll(async () => {
    api = await startApi({ redis: true });
  });
  afterAll(async () => {
    await api?.close();
  });

  /** Those of ENTITIES the store holds anything for (every write sets an entity's fields). */
  const storedEntities = async () => {
    const entities = ENTITIES.map((e) => ({
      entity: e.entity,
      id: e.id,
      counts: [],
      members: [],
      distinct: [],
    }));
    const state = await api.store.read({ asOf: T0, entities });
    return entities.filter((_, i) => state[i]?.fields != null).map((e) => `${e.entity}:${e.id}`);
  };

  it("has at least 40 cases, each with its own event id", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CASES.map((c) => c.label)).size).toBe(CASES.length);
  });

  it.each(CASES.map((c, i) => ({ ...c, id: idFor(i) })))(
    "$label → $status $field",
    async ({ label, body, status, field, code, id }) => {
      const b = body(id);
      badIds.add(id);
      const json = "json" in b ? (b.json as { event_id?: unknown } | null) : undefined;
      if (json && typeof json === "object" && typeof json.event_id === "string" && json.event_id !== "") {
        badIds.add(json.event_id);
      }
      const res = await api.app.inject({
        method: "POST",
        url: "/v1/score",
        headers: {
          ...bearer(TOKENS.score),
          ...("raw" in b && b.contentType !== undefined ? { "content-type": b.contentType } : {}),
        },
        payload: "json" in b ? (b.json as object) : b.raw,
      });
      statuses.push({ label, status: res.statusCode });

      expect(res.headers["content-type"]).toMatch(/^application\/json/);
      const err = res.json();
      expect({ status: res.statusCode, code: err.error?.code, field: err.error?.field }).toEqual({
        status,
        code,
        field,
      });
      expect(typeof err.error.message).toBe("string");
      // The error names the problem; it never echoes a huge or nested input back.
      expect(res.body.length).toBeLessThan(1000);
    },
  );

  it("answered every bad body with a 4xx, never a 5xx", () => {
    expect(statuses).toHaveLength(CASES.length);
    expect(statuses.filter((s) => s.status < 400 || s.status >= 500)).toEqual([]);
  });

  it("answered only statuses the OpenAPI document lists for POST /v1/score", async () => {
    const doc = (await api.app.inject({ method: "GET", url: "/docs/json" })).json();
    const documented = Object.keys(doc.paths["/v1/score"].post.responses);
    const observed = [...new Set(statuses.map((s) => String(s.status)))];
    expect(observed).toEqual(expect.arrayContaining(["400", "413", "415"]));
    expect(observed.filter((s) => !documented.includes(s))).toEqual([]);
  });

  it("wrote nothing for them: no decision, no review case, no velocity update, no decision record", async () => {
    const redis = api.redis;
    if (!redis) throw new Error("the harness was started without Redis");
    // Named keys, not a SCAN: a SCAN walks every key of the shared Redis (millions), whatever it matches.
    const named = [...badIds].flatMap((id) => [
      `${api.prefix}decision:{${id}}`,
      `${api.prefix}review:{q}:case:${caseIdFor(id)}`,
    ]);
    // One EXISTS per key: the decision keys lie on different slots of a Redis Cluster.
    const existing = await Promise.all(
      [...named, `${api.prefix}review:{q}:open`].map((k) => redis.exists(k)),
    );
    expect(existing.reduce((sum, n) => sum + n, 0)).toBe(0);
    // The velocity update would write the entities of the checkout every bad body was made from.
    expect(await storedEntities()).toEqual([]);

    const counted = async (name: string) =>
      (await api.registry.getSingleMetric(name)?.get())?.values.reduce((sum, v) => sum + v.value, 0) ?? 0;
    expect(await counted("riskgate_decisions_total")).toBe(0);
    expect(await counted("riskgate_decisions_dropped_total")).toBe(0);
    expect(await counted("riskgate_review_cases_opened_total")).toBe(0);
  });

  it("is healthy afterwards: /healthz answers and a valid checkout still scores", async () => {
    const health = await api.app.inject({ method: "GET", url: "/healthz" });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: "ok" });

    const res = await api.app.inject({
      method: "POST",
      url: "/v1/score",
      headers: bearer(TOKENS.score),
      payload: checkout("good_after_bad", T0),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      event_id: "good_after_bad",
      decision: expect.stringMatching(/^(allow|review|block)$/),
    });
    // The same checks see a real write, so the empty results above mean something.
    expect(await api.redis?.exists(`${api.prefix}decision:{good_after_bad}`)).toBe(1);
    expect(await storedEntities()).toHaveLength(ENTITIES.length);
  });
});
