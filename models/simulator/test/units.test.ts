import { containsCardNumber, decodeEvent } from "@riskgate/feature-store/events";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { resolveOptions } from "../src/config.ts";
import { createProgress } from "../src/progress.ts";
import { Rng } from "../src/rng.ts";
import { legitMessage, phoneNumber, ringMessage, ringMessageAdapted } from "../src/text.ts";
import { MinHeap } from "../src/timeline/queue.ts";
import { Timeline } from "../src/timeline/timeline.ts";

describe("rng", () => {
  it("repeats for a seed and forks independent streams", () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const seqA = Array.from({ length: 5 }, () => a.nextU32());
    expect(Array.from({ length: 5 }, () => b.nextU32())).toEqual(seqA);
    expect(new Rng(43).nextU32()).not.toBe(seqA[0]);
    // A fork depends only on the seed and label, not on how far the parent has advanced.
    const fresh = new Rng(42).fork("x").nextU32();
    expect(a.fork("x").nextU32()).toBe(fresh);
    expect(a.fork("y").nextU32()).not.toBe(fresh);
  });

  it("stays within bounds", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (seed) => {
        const r = new Rng(seed);
        for (let i = 0; i < 50; i++) {
          const f = r.float();
          expect(f >= 0 && f < 1).toBe(true);
          const n = r.int(3, 7);
          expect(n >= 3 && n <= 7).toBe(true);
          const t = r.triangular(10, 24, 60);
          expect(t >= 10 && t <= 60).toBe(true);
        }
      }),
    );
  });
});

describe("timeline", () => {
  it("heap pops in order", () => {
    fc.assert(
      fc.property(fc.array(fc.integer()), (xs) => {
        const heap = new MinHeap<number>((a, b) => a < b);
        for (const x of xs) heap.push(x);
        const out: number[] = [];
        for (let x = heap.pop(); x !== undefined; x = heap.pop()) out.push(x);
        expect(out).toEqual([...xs].sort((a, b) => a - b));
      }),
    );
  });

  it("sorts a day, carries later events forward and refuses events in the past", () => {
    const tl = new Timeline();
    const env = (t: number, seq: number) => ({ t, seq, topic: "labels" as const, line: String(seq) });
    tl.open(0, 100);
    tl.push(env(50, 2));
    tl.push(env(150, 3));
    tl.push(env(50, 1));
    tl.push(env(10, 4));
    expect(tl.close().map((e) => e.seq)).toEqual([4, 1, 2]);
    tl.open(100, 200);
    expect(() => tl.push(env(99, 5))).toThrow(/precedes/);
    tl.push(env(120, 6));
    tl.push(env(900, 7));
    expect(tl.close().map((e) => e.seq)).toEqual([6, 3]);
    expect([...tl.drain()].map((e) => e.seq)).toEqual([7]);
  });
});

describe("messages", () => {
  it("never contain anything that looks like a card number", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (seed) => {
        const r = new Rng(seed);
        for (const country of ["GB", "US", "PT", "NG", "DE", "XX"]) {
          const texts = [
            phoneNumber(r, country),
            legitMessage(r, country, true),
            legitMessage(r, country, false),
            ringMessage(r, country),
            ringMessageAdapted(r),
          ];
          for (const text of texts) expect(containsCardNumber(text), text).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("phone numbers carry at most 12 digits", () => {
    const r = new Rng(1);
    for (let i = 0; i < 500; i++) {
      for (const c of ["GB", "US", "PT", "NG"])
        expect(phoneNumber(r, c).replace(/\D/g, "").length).toBeLessThanOrEqual(12);
    }
  });

  it("a message with a real-looking card number would be refused by the decoder", () => {
    // Guards the premise of the tests above: the decoder does reject PANs in free text.
    expect(containsCardNumber("my card 4111 1111 1111 1111")).toBe(true);
    expect(() =>
      decodeEvent({
        type: "login",
        event_id: "4111111111111111",
        occurred_at: "2026-01-05T00:00:00Z",
        user_id: "u_1",
      }),
    ).toThrow();
  });
});

describe("options and progress", () => {
  it("validates options", () => {
    expect(resolveOptions({ out: "x" })).toMatchObject({
      days: 100,
      checkoutsPerDay: 3000,
      driftDays: 14,
      seed: 1,
    });
    expect(resolveOptions({ out: "x", days: 8 }).driftDays).toBe(2);
    expect(resolveOptions({ out: "x", start: "2026-03-01" }).start).toBe("2026-03-01T00:00:00.000Z");
    expect(() => resolveOptions({ out: "x", days: 0 })).toThrow(/days/);
    expect(() => resolveOptions({ out: "x", start: "soon" })).toThrow(/date/);
  });

  it("prints a few plain lines when stderr is not a terminal", () => {
    const lines: string[] = [];
    const p = createProgress({ isTTY: false, write: (t) => lines.push(t) > 0 }, () => 0);
    for (let i = 1; i <= 100; i++) p.update(i / 100, `day ${i}`);
    p.done("ok");
    expect(lines).toHaveLength(4);
    expect(lines.every((l) => !l.includes("\r"))).toBe(true);
  });

  it("redraws a bar at most every 200 ms on a terminal", () => {
    const lines: string[] = [];
    let now = 0;
    const p = createProgress({ isTTY: true, write: (t) => lines.push(t) > 0 }, () => now);
    for (let i = 1; i <= 100; i++) {
      now += 10;
      p.update(i / 100, "");
    }
    expect(lines.length).toBeLessThanOrEqual(6);
    expect(lines[0]).toMatch(/^\r/);
  });
});
