import { describe, expect, it } from "vitest";
import type { ScoringModel } from "../../src/decision/types.ts";
import { guardMethods, ModelGuard } from "../../src/resilience/breakers.ts";
import { BreakerOpenError, CircuitBreaker } from "../../src/resilience/circuit-breaker.ts";
import { fakeClock } from "./fake-clock.ts";

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
