// The review SLA on the real Redis: an unresolved case expires at its deadline with the default
// action, once across replicas, swept on demand and on the worker's timer.

import { T0 } from "@riskgate/test-support/events";
import { waitFor } from "@riskgate/test-support/services";
import { afterAll, describe, expect, it } from "vitest";
import { Clock, claim, list, openCase, resolve, reviewApi, reviewCheckout } from "./helpers.ts";

const MIN = 60_000;
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
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
    // The worker's own interval does the sweep: poll for its effect with a deadline.
    await waitFor(async () => (await list(h, "?status=expired")).json().cases.length > 0, {
      timeoutMs: 5_000,
      intervalMs: 25,
      what: "the SLA worker's timer to expire the case",
    });
    expect((await list(h, "?status=expired")).json().cases[0]).toMatchObject({ id, sla_action: "allow" });
    expect(await h.registry.getSingleMetricAsString("riskgate_review_overdue_total")).toContain(
      'action="allow"} 1',
    );
  });
});
