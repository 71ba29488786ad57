import { describe, expect, it } from "vitest";
import type { ScoringModel } from "../../src/decision/types.ts";
import { guardMethods, ModelGuard } from "../../src/resilience/breakers.ts";
import {
  BreakerOpenError,
  type BreakerOptions,
  CircuitBreaker,
  type StateChange,
} from "../../src/resilience/circuit-breaker.ts";

function fakeClock(start = 1_000) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

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

describe("ModelGuard", () => {
  const model = (predict: ScoringModel["predict"]): ScoringModel => ({
    name: "m",
    version: "1",
    policy: { chargebackFeeEur: 25, reviewCostEur: 4, declineCostEur: 15, reviewMinExpectedLossEur: 4 },
    predict,
    topReasons: () => [],
  });
  /** `m` behind a breaker that opens after `failureThreshold` failures, with a 25 ms budget. */
  const guarded = (m: ScoringModel, clock: ReturnType<typeof fakeClock>, failureThreshold: number) => {
    const b = new CircuitBreaker({
      name: "model",
      failureThreshold,
      failureRate: 1,
      windowSize: 0,
      cooldownMs: 1_000,
      clock: clock.now,
    });
    const slow: number[] = [];
    const guard = new ModelGuard(new Map([[m, b]]), 25, (_m, ms) => slow.push(ms), clock.now);
    return { b, slow, guard };
  };

  it("uses a slow answer but counts it as a failure; a throw counts too; open skips the model", async () => {
    const clock = fakeClock();
    let calls = 0;
    let mode: "slow" | "fast" | "throw" = "slow";
    const m = model(async () => {
      calls++;
      if (mode === "throw") throw new Error("onnx exploded");
      clock.advance(mode === "slow" ? 30 : 1);
      return { raw: 0.1, calibrated: 0.2 };
    });
    const { b, slow, guard } = guarded(m, clock, 2);
    await expect(guard.predict(m, [1])).resolves.toEqual({ raw: 0.1, calibrated: 0.2 });
    expect(slow).toEqual([30]);
    expect(b.state).toBe("closed");
    mode = "throw";
    await expect(guard.predict(m, [1])).rejects.toThrow("onnx exploded");
    expect(b.state).toBe("open");
    await expect(guard.predict(m, [1])).rejects.toBeInstanceOf(BreakerOpenError);
    expect(calls).toBe(2);
    mode = "fast";
    clock.advance(1_000);
    await expect(guard.predict(m, [1])).resolves.toEqual({ raw: 0.1, calibrated: 0.2 });
    expect(b.state).toBe("closed");
  });

  it("times the inference, not the wait for the loop to run it", async () => {
    const clock = fakeClock();
    // As onnxruntime-node does: the inference runs in a setImmediate callback (1 ms of it here).
    const m = model(
      () =>
        new Promise((resolve) =>
          setImmediate(() => {
            clock.advance(1);
            resolve({ raw: 0.1, calibrated: 0.2 });
          }),
        ),
    );
    const { b, slow, guard } = guarded(m, clock, 1);
    const p = guard.predict(m, [1]);
    // The rest of a long loop turn, before the loop gets to its check phase.
    clock.advance(40);
    await expect(p).resolves.toEqual({ raw: 0.1, calibrated: 0.2 });
    expect(slow).toEqual([]);
    expect(b.state).toBe("closed");
  });

  it("calls a model it has no breaker for directly", async () => {
    const m = model(async () => ({ raw: 0, calibrated: 0 }));
    await expect(new ModelGuard(new Map(), 25).predict(m, [])).resolves.toEqual({ raw: 0, calibrated: 0 });
  });
});

describe("guardMethods", () => {
  it("guards the named methods and passes everything else through", async () => {
    const clock = fakeClock();
    const b = new CircuitBreaker({
      name: "redis",
      failureThreshold: 1,
      failureRate: 1,
      windowSize: 0,
      cooldownMs: 1_000,
      clock: clock.now,
    });
    let takes = 0;
    const budget = {
      capacity: 7,
      async tryTake() {
        takes++;
        throw new Error("ECONNREFUSED");
      },
      async used() {
        return 3;
      },
    };
    const guarded = guardMethods(budget, b, ["tryTake"]);
    expect(guarded.capacity).toBe(7);
    await expect(guarded.tryTake()).rejects.toThrow("ECONNREFUSED");
    await expect(guarded.tryTake()).rejects.toBeInstanceOf(BreakerOpenError);
    expect(takes).toBe(1);
    await expect(guarded.used()).resolves.toBe(3); // not guarded
  });
});
