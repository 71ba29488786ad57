// The reviewer workflow over HTTP, wired as main.ts wires it, on the real Redis: list, claim (a
// lease), resolve (only by the holder), SLA expiry with the default action, metrics.

import { bearer, TOKENS } from "@riskgate/test-support/api-harness";
import { T0 } from "@riskgate/test-support/events";
import type { Producer } from "kafkajs";
import { pino } from "pino";
import { Registry } from "prom-client";
import { afterAll, describe, expect, it } from "vitest";
import { composeScoringApi } from "../../src/compose.ts";
import { loadApiConfig } from "../../src/config.ts";
import {
  Clock,
  claim,
  features,
  list,
  openCase,
  REVIEW_KEYS_ENV,
  REVIEWERS,
  resolve,
  reviewApi,
  reviewCheckout,
} from "./helpers.ts";

const MIN = 60_000;
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe("listing review cases", () => {
  it("orders open cases by priority (expected loss) then age, pages, and filters by status", async () => {
    const clock = new Clock(T0);
    const h = await reviewApi({ redis: true, now: clock.now }, cleanups);
    const amounts = [120, 2400, 800, 45, 800];
    for (const [i, amount] of amounts.entries()) {
      clock.advance(1_000);
      await openCase(
        h,
        reviewCheckout(`lo-${i}`, T0, {
          booking: { amount, currency: "EUR", nights: 2, checkin_at: "2026-04-01T15:00:00Z" },
        }),
      );
    }
    const res = await list(h, "?limit=50");
    expect(res.statusCode).toBe(200);
    const cases = res.json().cases as { id: string; priority: number; created_at: string; score: number }[];
    expect(cases).toHaveLength(5);
    const sorted = [...cases].sort(
      (a, b) => b.priority - a.priority || a.created_at.localeCompare(b.created_at),
    );
    expect(cases.map((c) => c.id)).toEqual(sorted.map((c) => c.id));
    for (const c of cases) expect(c.priority).toBeCloseTo(c.score * (amounts[Number(c.id.slice(6))] ?? 0), 6);

    const pages: string[] = [];
    let cursor = "";
    for (let i = 0; i < 5; i++) {
      const page = (await list(h, `?limit=2${cursor ? `&cursor=${cursor}` : ""}`)).json();
      pages.push(...page.cases.map((c: { id: string }) => c.id));
      if (!page.next_cursor) break;
      cursor = page.next_cursor;
    }
    expect(pages).toEqual(cases.map((c) => c.id));

    await claim(h, "rc_lo-3");
    expect((await list(h, "?status=claimed")).json().cases.map((c: { id: string }) => c.id)).toEqual([
      "rc_lo-3",
    ]);
    expect((await list(h)).json().cases).toHaveLength(4);
    expect((await list(h, "?status=sideways")).json().error).toMatchObject({
      code: "schema_violation",
      field: "status",
    });
    expect((await list(h, "?limit=0")).json().error.field).toBe("limit");
    expect((await list(h, "", TOKENS.score)).statusCode).toBe(403);
    expect((await h.app.inject({ method: "GET", url: "/v1/review/cases" })).statusCode).toBe(401);
  });
});

describe("claiming", () => {
  it("lets exactly one of ten concurrent reviewers win a case", async () => {
    const h = await reviewApi({ redis: true }, cleanups);
    const id = await openCase(h, reviewCheckout("race-1", T0));
    const results = await Promise.all(REVIEWERS.map((k) => claim(h, id, k)));
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes).toEqual([200, ...Array(9).fill(409)]);
    const winner = results.find((r) => r.statusCode === 200)?.json();
    expect(winner).toMatchObject({ id, status: "claimed" });
    expect(winner.claimed_by).toMatch(/^key_[0-9a-f]{8}$/);
    for (const r of results.filter((x) => x.statusCode === 409)) {
      expect(r.json().error).toMatchObject({ code: "case_claimed", field: "id" });
    }
    // The holder claiming again renews its lease.
    const holder = REVIEWERS[results.findIndex((r) => r.statusCode === 200)] as string;
    expect((await claim(h, id, holder)).statusCode).toBe(200);
    expect((await claim(h, "rc_unknown", holder)).json().error.code).toBe("case_not_found");
  });

  it("frees a case whose lease lapsed (REVIEW_LEASE_SECONDS=1) for another reviewer", async () => {
    const h = await reviewApi({ redis: true, env: { REVIEW_LEASE_SECONDS: "1" } }, cleanups);
    const id = await openCase(h, reviewCheckout("lease-1", T0));
    const [alice, bob] = REVIEWERS as [string, string];
    expect((await claim(h, id, alice)).statusCode).toBe(200);
    expect((await claim(h, id, bob)).statusCode).toBe(409);
    await new Promise((r) => setTimeout(r, 1_100));
    expect((await list(h)).json().cases.map((c: { id: string }) => c.id)).toContain(id);
    const taken = await claim(h, id, bob);
    expect(taken.statusCode).toBe(200);
    // Alice lost it: her resolve is refused, bob's goes through.
    const late = await resolve(h, id, { label: "legit", note: "looks fine" }, alice);
    expect(late.statusCode).toBe(403);
    expect(late.json().error.code).toBe("not_lease_holder");
    expect((await resolve(h, id, { label: "legit", note: "looks fine" }, bob)).statusCode).toBe(200);
  });
});

describe("resolving", () => {
  it("is for the lease holder only, validates the body, and is idempotent for the same label", async () => {
    const h = await reviewApi({ redis: true }, cleanups);
    const id = await openCase(h, reviewCheckout("res-1", T0));
    const [alice, bob] = REVIEWERS as [string, string];
    expect((await resolve(h, id, undefined, alice)).json().error.code).toBe("case_not_claimed");
    await claim(h, id, alice);
    expect((await resolve(h, id, undefined, bob)).json().error).toMatchObject({ code: "not_lease_holder" });
    const bad = await resolve(h, id, { label: "maybe", note: "x" }, alice);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe("/label");
    const long = await resolve(h, id, { label: "fraud", note: "x".repeat(2001) }, alice);
    expect(long.json().error.field).toBe("/note");
    const extra = await resolve(h, id, { label: "fraud", note: "x", by: "me" }, alice);
    expect(extra.statusCode).toBe(400);

    const ok = await resolve(h, id, { label: "fraud", note: "asked to pay by whatsapp" }, alice);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({
      id,
      status: "resolved",
      resolution: "fraud",
      note: "asked to pay by whatsapp",
      resolved_by: ok.json().claimed_by,
    });
    expect((await resolve(h, id, { label: "fraud", note: "retry" }, alice)).json()).toEqual(ok.json());
    expect((await resolve(h, id, { label: "legit", note: "changed my mind" }, alice)).json().error.code).toBe(
      "case_closed",
    );
    expect((await claim(h, id, bob)).json().error.code).toBe("case_closed");
    expect((await list(h, "?status=resolved")).json().cases.map((c: { id: string }) => c.id)).toEqual([id]);
    expect(await h.registry.getSingleMetricAsString("riskgate_review_resolutions_total")).toContain(
      'label="fraud"} 1',
    );
  });

  it("without Kafka applies the label to the embedded store, so the next checkout sees it", async () => {
    const h = await reviewApi({ now: () => T0 + MIN }, cleanups);
    const c = reviewCheckout("emb-1", T0);
    const id = await openCase(h, c);
    const probe = reviewCheckout("emb-probe", T0 + 2 * MIN, { user: c.user, payment: c.payment });
    expect((await features(h, probe)).user_fraud_labels).toBe(0);
    await claim(h, id);
    expect((await resolve(h, id)).statusCode).toBe(200);
    const after = await features(h, probe);
    expect(after.user_fraud_labels).toBe(1);
    expect(after.instrument_fraud_labels).toBe(1);
  });

  it("answers 503 labels_unavailable when Kafka refuses the label and keeps the case claimed for a retry", async () => {
    let down = true;
    const sent: unknown[] = [];
    const producer = {
      send: async (record: { topic: string; messages: { value: string }[] }) => {
        if (down) throw new Error("broker unreachable");
        if (record.topic.endsWith("labels")) sent.push(JSON.parse(record.messages[0]?.value ?? "null"));
        return [];
      },
    } as unknown as Producer;
    const config = loadApiConfig({ ...REVIEW_KEYS_ENV, KAFKA_TOPIC_PREFIX: "t.review-503." });
    const composed = await composeScoringApi({
      config,
      logger: pino({ level: "silent" }),
      registry: new Registry(),
      keys: config.apiKeys,
      producer,
    });
    cleanups.push(async () => {
      for (const c of composed.closers) await c.close();
    });
    const h = { ...composed, prefix: "", topicPrefix: "", registry: new Registry(), close: async () => {} };
    const id = await openCase(h, reviewCheckout("k503", T0));
    expect((await claim(h, id)).statusCode).toBe(200);
    const failed = await resolve(h, id);
    expect(failed.statusCode).toBe(503);
    expect(failed.json().error.code).toBe("labels_unavailable");
    expect((await list(h, "?status=claimed")).json().cases.map((c: { id: string }) => c.id)).toEqual([id]);
    down = false;
    const ok = await resolve(h, id);
    expect(ok.statusCode).toBe(200);
    expect(sent).toEqual([
      expect.objectContaining({
        type: "review_outcome",
        event_id: `ro_${id}`,
        label: "fraud",
        checkout_event_id: "k503",
      }),
    ]);
  });
});

describe("the SLA", () => {
  it("expires an unresolved case at its deadline with the default action, once across two replicas", async () => {
    const clock = new Clock(T0);
    // The lease outlives the SLA: a held case still expires at its deadline (the booking cannot wait).
    const env = {
      REVIEW_SLA_MINUTES: "30",
      REVIEW_SLA_DEFAULT_ACTION: "block",
      REVIEW_SLA_SWEEP_MS: "3600000",
      REVIEW_LEASE_SECONDS: "3600",
    };
    const a = await reviewApi({ redis: true, now: clock.now, env }, cleanups);
    // A second replica on the same Redis keys.
    const b = await reviewApi(
      {
        redis: true,
        now: clock.now,
        env: { ...env, REDIS_KEY_PREFIX: a.prefix, KAFKA_TOPIC_PREFIX: a.topicPrefix },
      },
      cleanups,
    );
    const idle = await openCase(a, reviewCheckout("sla-idle", T0));
    const held = await openCase(a, reviewCheckout("sla-held", T0));
    await claim(a, held);
    clock.advance(20 * MIN);
    const fresh = await openCase(a, reviewCheckout("sla-fresh", T0 + 20 * MIN));
    const depth = await a.registry.getSingleMetricAsString("riskgate_review_queue_depth");
    expect(depth).toContain('status="open"} 2');
    expect(depth).toContain('status="claimed"} 1');

    clock.advance(9 * MIN);
    expect(await Promise.all([a.review.worker.sweep(), b.review.worker.sweep()])).toEqual([[], []]);

    clock.advance(1 * MIN);
    const [fromA, fromB] = await Promise.all([a.review.worker.sweep(), b.review.worker.sweep()]);
    expect([...fromA, ...fromB].map((c) => c.id).sort()).toEqual([held, idle].sort());
    const expired = (await list(b, "?status=expired")).json().cases;
    expect(expired).toHaveLength(2);
    for (const c of expired) {
      expect(c).toMatchObject({
        status: "expired",
        sla_action: "block",
        expired_at: new Date(clock.t).toISOString(),
      });
    }
    expect((await claim(a, idle)).json().error.code).toBe("case_closed");
    expect((await resolve(a, held)).json().error.code).toBe("case_closed");
    expect((await list(a)).json().cases.map((c: { id: string }) => c.id)).toEqual([fresh]);

    // Counted once in total across the replicas, under the configured action.
    const count = async (h: typeof a) => {
      const m = await h.registry.getSingleMetric("riskgate_review_overdue_total")?.get();
      return m?.values.find((v) => v.labels.action === "block")?.value ?? 0;
    };
    expect((await count(a)) + (await count(b))).toBe(2);
    // Sweeping again expires nothing more.
    expect(await a.review.worker.sweep()).toEqual([]);

    const scrape = await a.app.inject({ method: "GET", url: "/metrics" });
    expect(scrape.body).toContain('riskgate_review_queue_depth{status="open"} 1');
    expect(scrape.body).toContain('riskgate_review_queue_depth{status="expired"} 2');
    expect(scrape.body).toContain('riskgate_review_queue_depth{status="claimed"} 0');
    expect(scrape.body).toMatch(/riskgate_review_oldest_open_age_seconds 600\b/);
    expect(scrape.body).toMatch(/riskgate_review_budget_used 3\b/);
    expect(scrape.body).toMatch(/riskgate_review_budget_capacity \d+/);
  });

  it("runs the sweep on its timer", async () => {
    const clock = new Clock(T0);
    const h = await reviewApi(
      { redis: true, now: clock.now, env: { REVIEW_SLA_MINUTES: "1", REVIEW_SLA_SWEEP_MS: "50" } },
      cleanups,
    );
    const id = await openCase(h, reviewCheckout("sla-timer", T0));
    clock.advance(MIN);
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline && (await list(h, "?status=expired")).json().cases.length === 0) {
      await new Promise((r) => setTimeout(r, 25));
    }
    expect((await list(h, "?status=expired")).json().cases[0]).toMatchObject({ id, sla_action: "allow" });
    expect(await h.registry.getSingleMetricAsString("riskgate_review_overdue_total")).toContain(
      'action="allow"} 1',
    );
  });
});

describe("the OpenAPI document", () => {
  it("lists the review routes with their bearer scope", async () => {
    const h = await reviewApi({}, cleanups);
    const doc = (await h.app.inject({ method: "GET", url: "/docs/json" })).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/v1/review/cases",
        "/v1/review/cases/{id}/claim",
        "/v1/review/cases/{id}/resolve",
      ]),
    );
    expect(doc.paths["/v1/review/cases/{id}/resolve"].post.security).toEqual([{ bearer: [] }]);
    expect(
      (await h.app.inject({ method: "GET", url: "/v1/review/cases", headers: bearer(TOKENS.review) }))
        .statusCode,
    ).toBe(200);
  });
});
