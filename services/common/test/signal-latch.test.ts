import { EventEmitter } from "node:events";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { onShutdownSignal } from "../src/shutdown.ts";
import { SignalLatch } from "../src/signal-latch.ts";

const silent = pino({ level: "silent" });

describe("SignalLatch", () => {
  it("hands a signal that came before any listener to the first one added for it", async () => {
    const process = new EventEmitter();
    const latch = new SignalLatch(process);
    process.emit("SIGTERM", "SIGTERM");
    const got: string[] = [];
    latch.on("SIGINT", (s) => got.push(`int:${s}`));
    latch.on("SIGTERM", (s) => got.push(`term:${s}`));
    await Promise.resolve();
    expect(got).toEqual(["term:SIGTERM"]);
    // Handed once: a listener added later does not get it again.
    latch.on("SIGTERM", (s) => got.push(`again:${s}`));
    await Promise.resolve();
    expect(got).toEqual(["term:SIGTERM"]);
  });

  it("passes signals on as they come once a listener is there", () => {
    const process = new EventEmitter();
    const latch = new SignalLatch(process);
    const got: string[] = [];
    latch.on("SIGTERM", (s) => got.push(s));
    latch.on("SIGINT", (s) => got.push(s));
    process.emit("SIGTERM", "SIGTERM");
    process.emit("SIGINT", "SIGINT");
    expect(got).toEqual(["SIGTERM", "SIGINT"]);
  });

  it("starts a shutdown for a signal held before it, and a second held one cuts it short", async () => {
    const process = new EventEmitter();
    const once = new SignalLatch(process);
    process.emit("SIGTERM", "SIGTERM");
    const closed: string[] = [];
    const code = onShutdownSignal(
      silent,
      [{ name: "redis", close: async () => void closed.push("redis") }],
      1_000,
      once,
    );
    expect(await code).toBe(0);
    expect(closed).toEqual(["redis"]);

    const again = new EventEmitter();
    const twice = new SignalLatch(again);
    again.emit("SIGTERM", "SIGTERM");
    again.emit("SIGTERM", "SIGTERM");
    const hung = onShutdownSignal(
      silent,
      [{ name: "hung", close: () => new Promise(() => {}) }],
      5_000,
      twice,
    );
    expect(await hung).toBe(1);
  });

  it("holds at most two signals: one to start a shutdown, one to cut it short", async () => {
    const process = new EventEmitter();
    const latch = new SignalLatch(process);
    for (let i = 0; i < 5; i++) process.emit("SIGINT", "SIGINT");
    const got: string[] = [];
    latch.on("SIGINT", (s) => got.push(s));
    await Promise.resolve();
    expect(got).toEqual(["SIGINT", "SIGINT"]);
  });
});
