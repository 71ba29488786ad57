import { describe, expect, it } from "vitest";
import { withTimeout } from "../src/with-timeout.ts";

const settleAfter = <T>(ms: number, value: T) => new Promise<T>((r) => setTimeout(() => r(value), ms));

describe("withTimeout", () => {
  it("passes a value that arrives in time", async () => {
    await expect(withTimeout(settleAfter(5, "ok"), 200, "read")).resolves.toBe("ok");
  });

  it("passes the work's own rejection", async () => {
    await expect(withTimeout(Promise.reject(new Error("boom")), 200, "read")).rejects.toThrow("boom");
  });

  it("rejects with a timeout error naming the work when it is late", async () => {
    await expect(withTimeout(settleAfter(500, "late"), 10, "feature read")).rejects.toMatchObject({
      code: "timeout",
      message: "feature read took longer than 10 ms",
    });
  });
});
