// The reviewer workflow over HTTP, wired as main.ts wires it, on the real Redis: list, claim (a
// lease) and the OpenAPI document. Resolving: review-resolve.test.ts; the SLA: review-sla.test.ts.

import { bearer, TOKENS } from "@riskgate/test-support/api-harness";
import { T0 } from "@riskgate/test-support/events";
import { afterAll, describe, expect, it } from "vitest";
import { Clock, claim, list, openCase, REVIEWERS, resolve, reviewApi, reviewCheckout } from "./helpers.ts";

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
      message: "status: expected one of open, claimed, resolved, expired",
    });
    expect((await list(h, "?limit=0")).json().error.field).toBe("limit");
    expect((await list(h, "", TOKENS.score)).statusCode).toBe(403);
    expect((await h.app.inject({ method: "GET", url: "/v1/review/cases" })).statusCode).toBe(401);
  });
});

describe("case ids", () => {
  it("works for the longest valid event id on every review route (no 414)", async () => {
    const h = await reviewApi({ redis: true }, cleanups);
    const eventId = `long-${"x".repeat(123)}`;
    expect(eventId).toHaveLength(128);
    const short = reviewCheckout("long-ids", T0);
    const id = await openCase(h, { ...short, event_id: eventId });
    expect(id).toBe(`rc_${eventId}`);
    const got = await h.app.inject({
      method: "GET",
      url: `/v1/review/cases/${id}`,
      headers: bearer(TOKENS.review),
    });
    expect(got.statusCode).toBe(200);
    expect((await claim(h, id)).statusCode).toBe(200);
    const resolved = await resolve(h, id);
    expect(resolved.statusCode).toBe(200);
    expect(resolved.json()).toMatchObject({ id, status: "resolved" });
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
    const clock = new Clock(T0);
    const h = await reviewApi({ redis: true, now: clock.now, env: { REVIEW_LEASE_SECONDS: "1" } }, cleanups);
    const id = await openCase(h, reviewCheckout("lease-1", T0));
    const [alice, bob] = REVIEWERS as [string, string];
    expect((await claim(h, id, alice)).statusCode).toBe(200);
    expect((await claim(h, id, bob)).statusCode).toBe(409);
    clock.advance(1_100);
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
