import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { withTimeout } from "../src/with-timeout.ts";

// withTimeout takes no clock: fake timers decide what is "in time", so no test waits or races.
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const settleAfter = <T>(ms: number, value: T) => new Promise<T>((r) => setTimeout(() => r(value), ms));

describe("withTimeout", () => {
  it("passes a value that arrives in time", async () => {
    const result = withTimeout(settleAfter(199, "ok"), 200, "read");
    await vi.advanceTimersByTimeAsync(199);
    await expect(result).resolves.toBe("ok");
    // Its timer is gone: nothing fires later.
    expect(vi.getTimerCount()).toBe(0);
  });

  it("passes the work's own rejection", async () => {
    await expect(withTimeout(Promise.reject(new Error("boom")), 200, "read")).rejects.toThrow("boom");
    expect(vi.getTimerCount()).toBe(0);
  });

  it("rejects with a timeout error naming the work when it is late", async () => {
    const result = withTimeout(settleAfter(11, "late"), 10, "feature read");
    const outcome = expect(result).rejects.toMatchObject({
      code: "timeout",
      message: "feature read took longer than 10 ms",
      budgetMs: 10,
      // No stack to capture or log: a timer's says nothing, and overload makes timeouts many.
      stack: "AppError: feature read took longer than 10 ms",
    });
    await vi.advanceTimersByTimeAsync(10);
    await outcome;
  });
});
