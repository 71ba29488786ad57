import { EventEmitter } from "node:events";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { runUntilShutdown, type StartUp } from "../src/run-until-shutdown.ts";
import { type Closer, DEFAULT_CLOSE_DEADLINE_MS } from "../src/shutdown.ts";

function captureLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

const closed = (lines: Record<string, unknown>[]) =>
  lines.filter((l) => l.msg === "closed").map((l) => l.resource);
const named = (name: string): Closer => ({ name, close: async () => {} });

describe("runUntilShutdown", () => {
  it("a signal mid-start-up aborts its wait, closes what exists by then and resolves 0 though the start-up rejects", async () => {
    const { logger, lines } = captureLogger();
    const signals = new EventEmitter();
    const closers: Closer[] = [];
    let startUp: StartUp | undefined;
    let waiting: () => void = () => {};
    const inTheWait = new Promise<void>((r) => {
      waiting = r;
    });
    const exit = runUntilShutdown(
      logger,
      signals,
      () => closers,
      async (s) => {
        startUp = s;
        closers.push(named("opened"));
        await new Promise((_, reject) => {
          waiting();
          s.signal.addEventListener("abort", () => reject(new Error("cut short by the shutdown")));
        });
        closers.push(named("never opened"));
      },
    );
    await inTheWait;
    expect(startUp?.stopped()).toBe(false);

    signals.emit("SIGTERM", "SIGTERM");
    expect(await exit).toBe(0);
    expect(startUp?.stopped()).toBe(true);
    expect(closed(lines)).toEqual(["start-up", "opened"]);
  });

  it("a start-up that fails by itself rejects", async () => {
    const exit = runUntilShutdown(
      captureLogger().logger,
      new EventEmitter(),
      () => [],
      async () => {
        throw new Error("no such port");
      },
    );
    await expect(exit).rejects.toThrow("no such port");
  });

  it("after the start-up, waits for the signal; the bound counts the start-up's own closer", async () => {
    const { logger, lines } = captureLogger();
    const signals = new EventEmitter();
    let bound = 0;
    let outcome = "pending";
    const exit = runUntilShutdown(
      logger,
      signals,
      () => [named("consumer")],
      async (s) => {
        bound = s.shutdownWithinMs();
      },
    ).then((code) => {
      outcome = `exit ${code}`;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(outcome).toBe("pending");
    expect(bound).toBe(2 * DEFAULT_CLOSE_DEADLINE_MS);

    signals.emit("SIGINT", "SIGINT");
    await exit;
    expect(outcome).toBe("exit 0");
    expect(closed(lines)).toEqual(["start-up", "consumer"]);
  });
});
