import { spawn } from "node:child_process";
import { EventEmitter } from "node:events";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  type Closer,
  DEFAULT_CLOSE_BUDGET_MS,
  DEFAULT_CLOSE_DEADLINE_MS,
  onShutdownSignal,
  shutdownDeadlineMs,
} from "../src/shutdown.ts";

function captureLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

function recording(order: string[], name: string, close: () => Promise<void> = async () => {}): Closer {
  return {
    name,
    close: async () => {
      order.push(`${name}:start`);
      await close();
      order.push(`${name}:end`);
    },
  };
}

describe("onShutdownSignal", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("does nothing until a signal arrives", async () => {
    const order: string[] = [];
    const signals = new EventEmitter();
    onShutdownSignal(captureLogger().logger, [recording(order, "a")], 1_000, signals);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(order).toEqual([]);
  });

  it("closes every resource in order, one after the other, then resolves 0", async () => {
    const order: string[] = [];
    const signals = new EventEmitter();
    const slow = () => new Promise<void>((r) => setTimeout(r, 100));
    const { logger, lines } = captureLogger();
    const done = onShutdownSignal(
      logger,
      [recording(order, "kafka", slow), recording(order, "http"), recording(order, "redis", slow)],
      1_000,
      signals,
    );
    signals.emit("SIGTERM", "SIGTERM");
    await vi.advanceTimersByTimeAsync(200);
    expect(await done).toBe(0);
    expect(order).toEqual(["kafka:start", "kafka:end", "http:start", "http:end", "redis:start", "redis:end"]);
    expect(lines.filter((l) => l.msg === "closed").map((l) => l.resource)).toEqual([
      "kafka",
      "http",
      "redis",
    ]);
  });

  it("answers SIGINT like SIGTERM", async () => {
    const order: string[] = [];
    const signals = new EventEmitter();
    const done = onShutdownSignal(captureLogger().logger, [recording(order, "a")], 1_000, signals);
    signals.emit("SIGINT", "SIGINT");
    expect(await done).toBe(0);
    expect(order).toEqual(["a:start", "a:end"]);
  });

  it("given a function, closes what it lists when the signal arrives: not less, not what comes later", async () => {
    const order: string[] = [];
    const signals = new EventEmitter();
    const open: Closer[] = [recording(order, "redis")];
    const done = onShutdownSignal(captureLogger().logger, () => [...open], 1_000, signals);
    open.unshift(recording(order, "http"));
    signals.emit("SIGTERM", "SIGTERM");
    open.unshift(recording(order, "opened after the signal"));
    expect(await done).toBe(0);
    expect(order).toEqual(["http:start", "http:end", "redis:start", "redis:end"]);
  });

  it("gives up on a hung close at the deadline, goes on with the next, and resolves 1", async () => {
    const order: string[] = [];
    const signals = new EventEmitter();
    const { logger, lines } = captureLogger();
    let settled = false;
    const done = onShutdownSignal(
      logger,
      [recording(order, "hung", () => new Promise(() => {})), recording(order, "next")],
      5_000,
      signals,
    ).then((code) => {
      settled = true;
      return code;
    });
    signals.emit("SIGTERM", "SIGTERM");
    await vi.advanceTimersByTimeAsync(4_999);
    expect(order).toEqual(["hung:start"]);
    await vi.advanceTimersByTimeAsync(1);
    expect(await done).toBe(1);
    expect(settled).toBe(true);
    expect(order).toEqual(["hung:start", "next:start", "next:end"]);
    const failed = lines.find((l) => l.msg === "failed to close");
    expect(failed?.resource).toBe("hung");
  });

  it("holds a closer with a deadline of its own to that one instead of the shared one", async () => {
    const order: string[] = [];
    const signals = new EventEmitter();
    const done = onShutdownSignal(
      captureLogger().logger,
      [
        { ...recording(order, "drain", () => new Promise((r) => setTimeout(r, 3_000))), deadlineMs: 4_000 },
        { ...recording(order, "hung", () => new Promise(() => {})), deadlineMs: 500 },
        recording(order, "next"),
      ],
      1_000,
      signals,
    );
    signals.emit("SIGTERM", "SIGTERM");
    // Past the shared 1,000 ms, the drain still runs; it ends on its own at 3,000.
    await vi.advanceTimersByTimeAsync(2_999);
    expect(order).toEqual(["drain:start"]);
    await vi.advanceTimersByTimeAsync(1);
    expect(order).toEqual(["drain:start", "drain:end", "hung:start"]);
    // The hung one is given up at its own 500 ms, not the shared 1,000.
    await vi.advanceTimersByTimeAsync(500);
    expect(await done).toBe(1);
    expect(order).toEqual(["drain:start", "drain:end", "hung:start", "next:start", "next:end"]);
  });

  it("ends by shutdownDeadlineMs when every closer hangs, and not a millisecond sooner", async () => {
    const hung = () => new Promise<void>(() => {});
    const closers: Closer[] = [
      { name: "drain", close: hung, deadlineMs: 7_000 },
      { name: "a", close: hung },
      { name: "b", close: hung },
    ];
    expect(shutdownDeadlineMs(closers)).toBe(
      7_000 + Math.min(2 * DEFAULT_CLOSE_DEADLINE_MS, DEFAULT_CLOSE_BUDGET_MS),
    );
    const bound = shutdownDeadlineMs(closers, 1_000);
    expect(bound).toBe(9_000);
    const signals = new EventEmitter();
    let settled = false;
    const done = onShutdownSignal(captureLogger().logger, closers, 1_000, signals).then((code) => {
      settled = true;
      return code;
    });
    signals.emit("SIGTERM", "SIGTERM");
    await vi.advanceTimersByTimeAsync(bound - 1);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await done).toBe(1);
  });

  it("shares one budget among the closers without a deadline of their own", async () => {
    const order: string[] = [];
    const hung = () => new Promise<void>(() => {});
    const closers: Closer[] = [
      recording(order, "redis", hung),
      { ...recording(order, "drain", () => new Promise((r) => setTimeout(r, 4_000))), deadlineMs: 5_000 },
      recording(order, "kafka", hung),
      recording(order, "tracing", hung),
      recording(order, "fast"),
    ];
    // Each shared step may take 10 s, all of them 15 s: the drain's own 5 s come on top.
    expect(shutdownDeadlineMs(closers, 10_000, 15_000)).toBe(20_000);
    const signals = new EventEmitter();
    const { logger, lines } = captureLogger();
    let settled = false;
    const done = onShutdownSignal(logger, closers, 10_000, signals, 15_000).then((code) => {
      settled = true;
      return code;
    });
    signals.emit("SIGTERM", "SIGTERM");
    await vi.advanceTimersByTimeAsync(10_000); // redis: its full step
    expect(order).toEqual(["redis:start", "drain:start"]);
    await vi.advanceTimersByTimeAsync(4_000); // the drain ends on its own, outside the budget
    expect(order).toContain("kafka:start");
    await vi.advanceTimersByTimeAsync(4_999); // kafka: the 5 s the budget has left
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    // Past the budget: still called, not waited for (their zero deadlines are the only timers left).
    await vi.runAllTimersAsync();
    expect(await done).toBe(1);
    expect(order).toEqual([
      "redis:start",
      "drain:start",
      "drain:end",
      "kafka:start",
      "tracing:start",
      "fast:start",
      "fast:end",
    ]);
    const failed = lines
      .filter((l) => l.msg === "failed to close")
      .map((l) => (l.err as { message: string }).message);
    expect(failed).toEqual([
      "redis: not closed within 10000 ms",
      "kafka: not closed within 5000 ms",
      "tracing: not waited for, the shutdown's close budget is spent",
    ]);
    // A close that needs no wait still completes and counts as closed.
    expect(lines.filter((l) => l.msg === "closed").map((l) => l.resource)).toEqual(["drain", "fast"]);
  });

  it("goes on past a close that fails, and resolves 1", async () => {
    const order: string[] = [];
    const signals = new EventEmitter();
    const done = onShutdownSignal(
      captureLogger().logger,
      [
        recording(order, "broken", async () => {
          throw new Error("connection reset");
        }),
        recording(order, "next"),
      ],
      1_000,
      signals,
    );
    signals.emit("SIGTERM", "SIGTERM");
    expect(await done).toBe(1);
    expect(order).toEqual(["broken:start", "next:start", "next:end"]);
  });

  it("resolves 1 at once on a second signal, without waiting for what is left", async () => {
    const order: string[] = [];
    const signals = new EventEmitter();
    const done = onShutdownSignal(
      captureLogger().logger,
      [recording(order, "slow", () => new Promise((r) => setTimeout(r, 3_000)))],
      10_000,
      signals,
    );
    signals.emit("SIGTERM", "SIGTERM");
    signals.emit("SIGINT", "SIGINT");
    expect(await done).toBe(1);
    expect(order).toEqual(["slow:start"]);
  });
});

describe("a real process on SIGTERM", () => {
  it("still closes what follows a close() that hangs without holding the event loop", async () => {
    const fixture = fileURLToPath(new URL("./fixtures/hung-closer.ts", import.meta.url));
    const child = spawn(process.execPath, [fixture, "300"], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    const ready = new Promise<void>((resolve) =>
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes("ready")) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    await ready;
    child.kill("SIGTERM");
    expect(await exited).toBe(1);
    expect(out).toContain("after closed");
  });
});
