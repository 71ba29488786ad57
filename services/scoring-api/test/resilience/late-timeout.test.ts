// The Redis breaker's rule for timeouts that ran late, against a redis-server of this test's own: a
// busy event loop over a healthy Redis must not open the breaker (that switched Redis off, and with
// it every degraded checkout's velocity count, in a 3,000/s spike), and a hung Redis must still.
// Each case stages what a saturated scoring API does: calls are sent from an I/O callback (as a
// request handler runs), and the loop stays busy past their 50 ms deadline, so the next turn runs
// the timers before it reads the replies that came in meanwhile.

import { createRedisClient, type RedisClient } from "@riskgate/common/redis-client";
import { waitFor } from "@riskgate/test-support/services";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BreakerOpenError, CircuitBreaker } from "../../src/resilience/circuit-breaker.ts";
import { lateTimeout } from "../../src/resilience/late-timeout.ts";
import { TimeoutError } from "../../src/with-timeout.ts";
import { OwnRedis } from "./own-redis.ts";

const COMMAND_TIMEOUT_MS = 50;

let server: OwnRedis;
let redis: RedisClient;

beforeAll(async () => {
  server = await OwnRedis.start();
  redis = createRedisClient(server.url, { commandTimeoutMs: COMMAND_TIMEOUT_MS, name: "late-timeout-test" });
  await waitFor(() => redis.status === "ready", { what: "the Redis client to connect" });
});

afterAll(async () => {
  redis?.disconnect();
  await server?.close();
});

/** The service's defaults (config.ts), with or without the late-timeout rule. */
function redisBreaker(withRule: boolean) {
  const late = { count: 0 };
  const breaker = new CircuitBreaker({
    name: "redis",
    failureThreshold: 5,
    failureRate: 0.5,
    windowSize: 20,
    cooldownMs: 1_000,
    minFailureSpanMs: 50,
    ...(withRule
      ? {
          inconclusive: lateTimeout({
            commandTimeoutMs: COMMAND_TIMEOUT_MS,
            lateMs: 5,
            onLate: () => late.count++,
          }),
        }
      : {}),
  });
  return { breaker, late };
}

function busy(ms: number) {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // a turn of request handling, as under overload
  }
}

/** `turns` loop turns that each send `calls` GETs under `breaker`, then run `busyMs` of JS. */
async function overloadedTurns(breaker: CircuitBreaker, turns: number, calls: number, busyMs: number) {
  const outcomes: unknown[] = [];
  for (let t = 0; t < turns; t++) {
    await redis.ping(); // resumes in the poll phase, where request handlers run
    const sent = Array.from({ length: calls }, () =>
      breaker.run(() => redis.get("late-timeout-test:k")).catch((e: unknown) => e),
    );
    busy(busyMs);
    outcomes.push(...(await Promise.all(sent)));
  }
  return outcomes;
}

describe("the Redis breaker and late timeouts (real redis-server)", () => {
  it("a busy loop over a healthy Redis times calls out late, and they do not open the breaker", async () => {
    const control = redisBreaker(false);
    const controlOutcomes = await overloadedTurns(control.breaker, 4, 5, 80);
    // The staging works: without the rule the same turns time out and open the breaker.
    expect(
      controlOutcomes.filter((o) => o instanceof Error && o.message === "Command timed out").length,
    ).toBeGreaterThanOrEqual(5);
    expect(control.breaker.state).toBe("open");

    const guarded = redisBreaker(true);
    const outcomes = await overloadedTurns(guarded.breaker, 4, 5, 80);
    const timedOut = outcomes.filter((o) => o instanceof Error && o.message === "Command timed out");
    expect(timedOut.length).toBeGreaterThanOrEqual(10);
    expect(outcomes.some((o) => o instanceof BreakerOpenError)).toBe(false);
    expect(guarded.breaker.state).toBe("closed");
    expect(guarded.late.count).toBe(timedOut.length);
    // Redis was there all along: once the loop is idle, calls answer.
    await expect(guarded.breaker.run(() => redis.ping())).resolves.toBe("PONG");
  });

  it("a hung Redis still opens it: on an idle loop its timeouts run on time and count", async () => {
    const { breaker, late } = redisBreaker(true);
    server.pause();
    try {
      const outcomes: unknown[] = [];
      for (let i = 0; i < 12 && breaker.state === "closed"; i++) {
        outcomes.push(await breaker.run(() => redis.get("late-timeout-test:k")).catch((e: unknown) => e));
      }
      expect(breaker.state).toBe("open");
      expect(outcomes.length).toBeLessThanOrEqual(6);
      expect(late.count).toBe(0);
    } finally {
      server.resume();
    }
    await redis.ping();
  });
});

describe("lateTimeout", () => {
  const rule = (onLate = () => {}) => lateTimeout({ commandTimeoutMs: 50, lateMs: 5, onLate });

  it("excuses a timeout, ours or the client's, whose timer ran more than lateMs past its deadline", () => {
    let late = 0;
    const excused = rule(() => late++);
    expect(excused(new TimeoutError("feature read", 40), 46)).toBe(true);
    expect(excused(new TimeoutError("feature read", 40), 45)).toBe(false);
    expect(excused(new Error("Command timed out"), 56)).toBe(true);
    expect(excused(new Error("Command timed out"), 51)).toBe(false);
    expect(late).toBe(2);
  });

  it("never excuses another failure, however long the call took", () => {
    const excused = rule();
    expect(excused(new Error("Connection is closed."), 500)).toBe(false);
    expect(excused(new Error("NOSCRIPT No matching script"), 500)).toBe(false);
    expect(excused("Command timed out", 500)).toBe(false);
  });
});
