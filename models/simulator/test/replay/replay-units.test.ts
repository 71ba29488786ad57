// The replay's pure parts: where the world lands in time, the merge order, pacing, and the table.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeEvent } from "@riskgate/feature-store/events";
import { describe, expect, it } from "vitest";
import { probeCheckout } from "../../src/replay/freshness.ts";
import { LatencyHistogram } from "../../src/replay/histogram.ts";
import { Pacer } from "../../src/replay/pacer.ts";
import { finalReport } from "../../src/replay/report.ts";
import { ReplayStats } from "../../src/replay/stats.ts";
import { DAY_MS, shiftDaysFor, shiftTimes } from "../../src/replay/time-shift.ts";
import { worldEvents } from "../../src/replay/world-stream.ts";

describe("time shift", () => {
  it("moves the world by whole days so its last event is at or before now", () => {
    const last = Date.parse("2026-02-22T16:43:20.560Z");
    const now = Date.parse("2026-11-29T10:00:00.000Z");
    const days = shiftDaysFor(last, now);
    expect(last + days * DAY_MS).toBeLessThanOrEqual(now);
    expect(last + (days + 1) * DAY_MS).toBeGreaterThan(now);
    expect(shiftDaysFor(now + 1, now)).toBe(0);
  });

  it("shifts every UTC instant in an event and nothing else", () => {
    const e = {
      event_id: "evt_1",
      occurred_at: "2026-01-05T00:20:29.088Z",
      user: { id: "u_1", created_at: "2023-02-05T01:50:16.758Z" },
      booking: { amount: 249, checkin_at: "2026-02-26T15:00:00.000Z" },
      message: { text: "2026-01-05T00:20:29.088Z is when I arrive" },
    };
    expect(shiftTimes(e, 2 * DAY_MS)).toEqual({
      ...e,
      occurred_at: "2026-01-07T00:20:29.088Z",
      user: { id: "u_1", created_at: "2023-02-07T01:50:16.758Z" },
      booking: { amount: 249, checkin_at: "2026-02-28T15:00:00.000Z" },
    });
  });
});

describe("world stream", () => {
  it("merges the topic files in (occurred_at, event_id) order and pairs each checkout with its truth", async () => {
    const dir = mkdtempSync(join(tmpdir(), "replay-world-"));
    const line = (type: string, id: string, at: string) =>
      JSON.stringify({ type, event_id: id, occurred_at: at });
    writeFileSync(
      join(dir, "payments.jsonl"),
      `${line("payment_attempt", "evt_2", "2026-01-01T00:00:01Z")}\n${line("payment_attempt", "evt_5", "2026-01-01T00:00:03Z")}\n`,
    );
    writeFileSync(join(dir, "accounts.jsonl"), `${line("login", "evt_1", "2026-01-01T00:00:01Z")}\n`);
    writeFileSync(
      join(dir, "checkouts.jsonl"),
      `${line("checkout", "evt_3", "2026-01-01T00:00:02Z")}\n${line("checkout", "evt_4", "2026-01-01T00:00:03Z")}\n`,
    );
    writeFileSync(
      join(dir, "truth.jsonl"),
      '{"checkout_event_id":"evt_3","fraud":true}\n{"checkout_event_id":"evt_4","fraud":false}\n',
    );
    const seen = [];
    for await (const e of worldEvents(dir)) seen.push([e.event.event_id, e.topic, e.fraud]);
    expect(seen).toEqual([
      ["evt_1", "accounts", undefined],
      ["evt_2", "payments", undefined],
      ["evt_3", "checkouts", true],
      ["evt_4", "checkouts", false],
      ["evt_5", "payments", undefined],
    ]);
  });
});

describe("pacer", () => {
  it("sends history at once, then runs event time `speed` times faster than the wall clock", () => {
    let now = 1_000;
    const pacer = new Pacer({ speed: 60, maxRate: Number.POSITIVE_INFINITY, paceFromMs: 100_000 }, () => now);
    expect(pacer.delayFor(0)).toBe(0);
    expect(pacer.delayFor(100_000)).toBe(0); // anchors the clocks
    expect(pacer.delayFor(160_000)).toBe(1_000); // a minute of world time: a second at 60x
    now += 400;
    expect(pacer.delayFor(160_000)).toBe(600);
  });

  it("caps the rate in events per second", () => {
    const now = 0;
    const pacer = new Pacer({ speed: Number.POSITIVE_INFINITY, maxRate: 500, paceFromMs: 0 }, () => now);
    for (let i = 0; i < 10; i++) pacer.sentOne();
    expect(pacer.delayFor(5)).toBe(20);
  });
});

describe("report", () => {
  it("counts fraud caught by block and review and missed, reviews per day, and delivery", () => {
    const s = new ReplayStats();
    s.recordDecision({ decision: "block", mode: "normal" }, true, "2026-01-05", 3);
    s.recordDecision({ decision: "review", mode: "normal" }, true, "2026-01-05", 4);
    s.recordDecision({ decision: "allow", mode: "degraded" }, true, "2026-01-06", 5);
    s.recordDecision({ decision: "review", mode: "normal" }, false, "2026-01-06", 6);
    s.produced = 100;
    const text = finalReport(s, { seconds: 10, shiftDays: 3, ingested: 100 });
    expect(text).toMatch(/caught by block\s+1\s+33\.3%/);
    expect(text).toMatch(/caught by review\s+1\s+33\.3%/);
    expect(text).toMatch(/missed \(allowed\)\s+1\s+33\.3%/);
    expect(text).toMatch(/2026-01-05\s+1\n\s+2026-01-06\s+1/);
    expect(text).toMatch(/degraded share\s+25\.0%/);
    expect(text).toContain("none lost");
    expect(finalReport(s, { seconds: 10, shiftDays: 3, ingested: 98 })).toContain("2 MISSING");
  });

  it("reads quantiles from a bounded histogram", () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 100; i++) h.record(i);
    expect(h.quantile(0.5)).toBeCloseTo(50.1, 5);
    expect(h.quantile(0.99)).toBeCloseTo(99.1, 5);
    h.record(1e9);
    expect(h.quantile(1)).toBeCloseTo(10_000.1, 5);
  });
});

describe("freshness probe", () => {
  it("reads the probe through a checkout the API accepts", () => {
    const { event_id, occurred_at, ...rest } = probeCheckout("ab12", 1, Date.parse("2026-11-29T10:00:00Z"));
    expect(() => decodeEvent({ type: "checkout", event_id, occurred_at, ...rest })).not.toThrow();
  });
});
