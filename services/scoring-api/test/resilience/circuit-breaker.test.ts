import { describe, expect, it } from "vitest";
import {
  BreakerOpenError,
  type BreakerOptions,
  CircuitBreaker,
  type StateChange,
} from "../../src/resilience/circuit-breaker.ts";
import { fakeClock } from "./fake-clock.ts";

function breaker(over: Partial<BreakerOptions> = {}) {
  const clock = fakeClock();
  const changes: StateChange[] = [];
  const b = new CircuitBreaker({
    name: "dep",
    failureThreshold: 3,
    failureRate: 0.5,
    windowSize: 0,
    cooldownMs: 1_000,
    clock: clock.now,
    onStateChange: (c) => changes.push(c),
    ...over,
  });
  const fail = () => b.run(() => Promise.reject(new Error("boom")));
  const ok = () => b.run(() => Promise.resolve("ok"));
  return { b, clock, changes, fail, ok, path: () => changes.map((c) => c.to) };
}

describe("CircuitBreaker", () => {
  it("opens after N consecutive failures; a success in between resets the count", async () => {
    const { b, fail, ok, changes } = breaker();
    await expect(fail()).rejects.toThrow("boom");
    await expect(fail()).rejects.toThrow("boom");
    await ok();
    await expect(fail()).rejects.toThrow("boom");
    await expect(fail()).rejects.toThrow("boom");
    expect(b.state).toBe("closed");
    await expect(fail()).rejects.toThrow("boom");
    expect(b.state).toBe("open");
    expect(changes).toEqual([
      { name: "dep", from: "closed", to: "open", reason: "3 consecutive failures, last: boom" },
    ]);
  });

  it("rejects at once while open, without calling the dependency", async () => {
    const { b, fail } = breaker();
    for (let i = 0; i < 3; i++) await fail().catch(() => {});
    let called = 0;
    const err = await b.run(async () => ++called).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BreakerOpenError);
    expect((err as BreakerOpenError).code).toBe("breaker_open");
    expect((err as BreakerOpenError).dependency).toBe("dep");
    expect(called).toBe(0);
    expect(b.tryAcquire()).toBeNull();
  });

  it("lets exactly one probe through after the cool-down; its success closes the breaker", async () => {
    const { b, clock, fail, path } = breaker();
    for (let i = 0; i < 3; i++) await fail().catch(() => {});
    clock.advance(999);
    expect(b.state).toBe("open");
    clock.advance(1);
    expect(b.state).toBe("half_open");
    let release!: () => void;
    const probe = b.run(() => new Promise<string>((r) => (release = () => r("probe ok"))));
    // While the probe is out, every other call is rejected.
    await expect(b.run(async () => "other")).rejects.toBeInstanceOf(BreakerOpenError);
    release();
    await expect(probe).resolves.toBe("probe ok");
    expect(b.state).toBe("closed");
    expect(path()).toEqual(["open", "half_open", "closed"]);
    // Closed again with a fresh count: it takes N failures to open again.
    await fail().catch(() => {});
    await fail().catch(() => {});
    expect(b.state).toBe("closed");
  });

  it("re-opens for a full cool-down when the probe fails", async () => {
    const { b, clock, fail, ok, path } = breaker();
    for (let i = 0; i < 3; i++) await fail().catch(() => {});
    clock.advance(1_000);
    await expect(fail()).rejects.toThrow("boom");
    expect(b.state).toBe("open");
    clock.advance(500);
    await expect(ok()).rejects.toBeInstanceOf(BreakerOpenError);
    clock.advance(500);
    await expect(ok()).resolves.toBe("ok");
    expect(path()).toEqual(["open", "half_open", "open", "half_open", "closed"]);
  });

  it("forgets a probe that never reports back after a cool-down and probes again", () => {
    const { b, clock, fail } = breaker();
    return (async () => {
      for (let i = 0; i < 3; i++) await fail().catch(() => {});
      clock.advance(1_000);
      const lost = b.tryAcquire();
      expect(lost).not.toBeNull();
      expect(b.tryAcquire()).toBeNull();
      clock.advance(1_000);
      const next = b.tryAcquire();
      expect(next).not.toBeNull();
      next?.success();
      expect(b.state).toBe("closed");
      // The lost probe's late answer belongs to an earlier state: ignored.
      lost?.failure("late");
      expect(b.state).toBe("closed");
    })();
  });

  it("ignores late outcomes of calls admitted before it opened", async () => {
    const { b, fail } = breaker();
    const early = b.tryAcquire();
    for (let i = 0; i < 3; i++) await fail().catch(() => {});
    expect(b.state).toBe("open");
    early?.success();
    expect(b.state).toBe("open");
  });

  it("opens on a failure rate over a full rolling window even without N consecutive failures", async () => {
    const { b, fail, ok } = breaker({ failureThreshold: 100, windowSize: 10, failureRate: 0.5 });
    // Alternate: never two failures in a row, half of all calls fail.
    for (let i = 0; i < 4; i++) {
      await fail().catch(() => {});
      await ok();
    }
    await fail().catch(() => {});
    expect(b.state).toBe("closed"); // 9 calls: the window is not full yet
    await ok();
    expect(b.state).toBe("closed"); // 5 of 10 but the last one succeeded: checked on failures only
    await fail().catch(() => {});
    expect(b.state).toBe("open"); // the window rolled: 5 of the last 10 failed
  });

  it("keeps the rate below the threshold closed as the window rolls", async () => {
    const { b, fail, ok } = breaker({ failureThreshold: 100, windowSize: 10, failureRate: 0.5 });
    for (let i = 0; i < 100; i++) {
      if (i % 3 === 0) await fail().catch(() => {});
      else await ok();
    }
    expect(b.state).toBe("closed");
  });

  it("does not open on failures bunched in one instant (an event-loop stall), only once they span minFailureSpanMs", async () => {
    const { b, clock, fail, ok } = breaker({ minFailureSpanMs: 100 });
    // A stall: ten calls in flight time out at the same moment.
    for (let i = 0; i < 10; i++) await fail().catch(() => {});
    expect(b.state).toBe("closed");
    await ok(); // the dependency was fine all along
    // Failures that go on: they open it once they span 100 ms.
    for (let i = 0; i < 5; i++) {
      await fail().catch(() => {});
      clock.advance(20);
    }
    expect(b.state).toBe("closed"); // 5 failures over 80 ms
    await fail().catch(() => {});
    expect(b.state).toBe("open"); // 6 over 100 ms
  });

  it("applies the span to the rate rule too", async () => {
    const { b, clock, fail, ok } = breaker({
      failureThreshold: 100,
      minFailureSpanMs: 100,
      windowSize: 4,
      failureRate: 0.5,
    });
    await ok();
    await ok();
    await fail().catch(() => {});
    await fail().catch(() => {});
    expect(b.state).toBe("closed"); // 2 of 4, but in one instant
    clock.advance(100);
    await fail().catch(() => {});
    expect(b.state).toBe("open"); // 3 of 4 over 100 ms
  });

  it("counts a failure its `inconclusive` rule excuses neither way; the rule gets the call's time", async () => {
    const seen: number[] = [];
    const { b, clock, fail, ok } = breaker({
      inconclusive: (err, elapsedMs) => {
        seen.push(elapsedMs);
        return err instanceof Error && err.message === "excused";
      },
    });
    const excused = () =>
      b.run(async () => {
        clock.advance(70);
        throw new Error("excused");
      });
    await fail().catch(() => {});
    await fail().catch(() => {});
    for (let i = 0; i < 10; i++) await expect(excused()).rejects.toThrow("excused");
    expect(b.state).toBe("closed"); // two counted failures, ten not counted
    expect(seen.slice(2)).toEqual(Array(10).fill(70));
    await fail().catch(() => {});
    expect(b.state).toBe("open"); // nor did they reset the consecutive count
    clock.advance(1_000);
    // An excused probe frees the probe slot: the next call probes at once, and its success closes.
    await expect(excused()).rejects.toThrow("excused");
    expect(b.state).toBe("half_open");
    await expect(ok()).resolves.toBe("ok");
    expect(b.state).toBe("closed");
  });

  it("counts an outcome once however often it is reported", () => {
    const { b } = breaker({ failureThreshold: 2 });
    const p = b.tryAcquire();
    p?.failure("x");
    p?.failure("x");
    expect(b.state).toBe("closed");
  });

  it("rejects nonsense settings", () => {
    expect(() => breaker({ failureThreshold: 0 })).toThrow(RangeError);
    expect(() => breaker({ failureRate: 0 })).toThrow(RangeError);
    expect(() => breaker({ cooldownMs: -1 })).toThrow(RangeError);
  });
});
