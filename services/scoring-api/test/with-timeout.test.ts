import { stat } from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { withTimeout } from "../src/with-timeout.ts";

const settleAfter = <T>(ms: number, value: T) => new Promise<T>((r) => setTimeout(() => r(value), ms));

describe("withTimeout on a busy event loop (real timers)", () => {
  it("counts as in time work that finished while the loop was busy past the deadline", async () => {
    // One file-system call: the thread pool finishes it at once, the loop reads its completion in
    // the poll phase of its next turn, after that turn's timers (a Redis reply is read the same way).
    const result = withTimeout(stat(import.meta.filename), 10, "stat");
    const until = performance.now() + 50;
    while (performance.now() < until) {
      // a long loop turn, as on a saturated API
    }
    await expect(result).resolves.toMatchObject({ isFile: expect.any(Function) });
  });
});

describe("withTimeout", () => {
  // withTimeout takes no clock: fake timers decide what is "in time", so no test waits or races.
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("passes a value that arrives in time", async () => {
    const result = withTimeout(settleAfter(199, "ok"), 200, "read");
    await vi.advanceTimersByTimeAsync(199);
    await expect(result).resolves.toBe("ok");
    // Its timer is gone: nothing fires later.
    expect(vi.getTimerCount()).toBe(0);
  });

  it("passes the work's own rejection", async () => {
    await expect(withTimeout(Promise.reject(new Error("boom")), 200, "read")).rejects.toThrow("boom");
    // Settled before its turn ended: the deadline never starts a timer.
    await vi.advanceTimersByTimeAsync(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("rejects with a timeout error naming the work when it is late", async () => {
    const result = withTimeout(settleAfter(20, "late"), 10, "feature read");
    const outcome = expect(result).rejects.toMatchObject({
      code: "timeout",
      message: "feature read took longer than 10 ms",
      // No stack to capture or log: a timer's says nothing, and overload makes timeouts many.
      stack: "AppError: feature read took longer than 10 ms",
    });
    // Due at 10 ms, it fires in the check phase after that (fake timers: the next millisecond).
    await vi.advanceTimersByTimeAsync(11);
    await outcome;
  });
});
