// The SLA worker's announcements on the embedded queue, with a downstream that fails at first: an
// expiry whose announcement failed is sent again by a later sweep, once enough time has passed that
// the first attempt cannot still be under way, and not again once one went out.
import { T0 } from "@riskgate/test-support/events";
import { pino } from "pino";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { createReviewMetrics } from "../../src/review/review-metrics.ts";
import type { ReviewCase } from "../../src/review/review-queue.ts";
import { MemoryReviewQueue } from "../../src/review/review-queue-memory.ts";
import { ReviewSlaWorker } from "../../src/review/sla-worker.ts";

const MIN = 60_000;
const RETRY_AFTER = 10_000;

function setUp(send?: (c: ReviewCase) => Promise<void>) {
  let now = T0;
  const queue = new MemoryReviewQueue(100);
  const errors: unknown[] = [];
  const metrics = createReviewMetrics(new Registry(), {
    snapshot: async () => ({ queue: await queue.stats(now), budgetUsed: 0, budgetCapacity: 1 }),
    timeoutMs: 100,
    now: () => now,
    onError: (err) => errors.push(err),
  });
  const worker = new ReviewSlaWorker({
    queue,
    action: "block",
    intervalMs: 3_600_000,
    metrics,
    logger: pino({ level: "silent" }),
    ...(send ? { announce: { send, retryAfterMs: RETRY_AFTER } } : {}),
    onError: (err) => errors.push(err),
    now: () => now,
  });
  const open = (id: string) =>
    queue.open({
      caseId: `rc_${id}`,
      eventId: id,
      userId: "u",
      paymentInstrumentId: "pi",
      score: 0.5,
      amountEur: 100,
      priority: 50,
      reasons: [],
      createdAt: now,
      slaDeadline: now + MIN,
    });
  return { queue, worker, errors, open, advance: (ms: number) => (now += ms) };
}

describe("ReviewSlaWorker announcements", () => {
  it("sends an expiry whose announcement failed again on a later sweep, then never again", async () => {
    const sent: string[] = [];
    let failing = true;
    const t = setUp(async (c) => {
      if (failing) throw new Error("decisions topic unavailable");
      sent.push(c.id);
    });
    await t.open("a");
    t.advance(MIN);
    expect((await t.worker.sweep()).map((c) => c.id)).toEqual(["rc_a"]);
    await new Promise((r) => setImmediate(r)); // the first attempt, not awaited by the sweep
    expect(t.errors).toHaveLength(1);
    expect(await t.queue.unannounced(Number.MAX_SAFE_INTEGER, 10)).toEqual(["rc_a"]);

    failing = false;
    // Too soon: the first attempt could still be waiting on the broker.
    t.advance(RETRY_AFTER - 1);
    await t.worker.sweep();
    expect(sent).toEqual([]);
    t.advance(1);
    expect(await t.worker.sweep()).toEqual([]);
    expect(sent).toEqual(["rc_a"]);
    expect(await t.queue.unannounced(Number.MAX_SAFE_INTEGER, 10)).toEqual([]);
    t.advance(RETRY_AFTER);
    await t.worker.sweep();
    expect(sent).toEqual(["rc_a"]);
  });

  it("announces a first attempt that succeeds once, and lists nothing without a downstream", async () => {
    const sent: string[] = [];
    const t = setUp(async (c) => void sent.push(c.id));
    await t.open("b");
    t.advance(MIN);
    await t.worker.sweep();
    await new Promise((r) => setImmediate(r));
    t.advance(RETRY_AFTER);
    await t.worker.sweep();
    expect(sent).toEqual(["rc_b"]);

    const quiet = setUp();
    await quiet.open("c");
    quiet.advance(MIN);
    expect((await quiet.worker.sweep()).map((c) => c.id)).toEqual(["rc_c"]);
    expect(await quiet.queue.unannounced(Number.MAX_SAFE_INTEGER, 10)).toEqual([]);
  });
});
