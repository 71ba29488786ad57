import { type ApiHarness, bearer, startApi, TOKENS } from "@riskgate/test-support/api-harness";
import { checkout, T0 } from "@riskgate/test-support/events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Admission, TimerLagProbe } from "../../src/resilience/admission.ts";

const LIMITS = {
  degradeInFlight: 2,
  shedInFlight: 4,
  degradeLagMs: 20,
  shedLagMs: 80,
  degradeHoldMs: 0,
  degradeSlowMs: 100,
};

function pinnedLag(initial = 0) {
  const probe = { lag: initial, lagMs: () => probe.lag };
  return probe;
}

/** A promise the test settles, to hold a checkout in flight. */
function held() {
  let release = () => {};
  const done = new Promise<void>((r) => {
    release = r;
  });
  return { done, release };
}

describe("Admission", () => {
  it("degrades, then sheds, as the event loop falls behind", () => {
    const probe = pinnedLag();
    const a = new Admission(LIMITS, probe);
    expect(a.level()).toBe("normal");
    probe.lag = 19.9;
    expect(a.level()).toBe("normal");
    probe.lag = 20;
    expect(a.level()).toBe("degrade");
    probe.lag = 80;
    expect(a.level()).toBe("shed");
    probe.lag = 0;
    expect(a.level()).toBe("normal");
  });

  it("degrades, then sheds, as checkouts pile up in flight, and recovers as they settle", async () => {
    const a = new Admission(LIMITS, pinnedLag());
    const holds = [held(), held(), held(), held()];
    const tracked = holds.map((h) => a.track(() => h.done));
    expect(a.checkoutsInFlight).toBe(4);
    expect(a.level()).toBe("shed");
    holds[0]?.release();
    await tracked[0];
    expect(a.level()).toBe("degrade");
    holds[1]?.release();
    holds[2]?.release();
    await Promise.all(tracked.slice(1, 3));
    expect(a.level()).toBe("normal");
    holds[3]?.release();
    await tracked[3];
    expect(a.checkoutsInFlight).toBe(0);
  });

  it("sheds on the lag of the turn running now; the last ticks' lag alone only degrades", () => {
    const probe = { lag: 0, turn: 0, lagMs: () => probe.lag, turnLagMs: () => probe.turn };
    const a = new Admission(LIMITS, probe);
    probe.lag = 200; // the last turns were long, this one has just begun
    expect(a.level()).toBe("degrade");
    probe.turn = 79.9;
    expect(a.level()).toBe("degrade");
    probe.turn = 80; // this turn has run past the bound: what it reads now has waited that long
    expect(a.level()).toBe("shed");
    probe.lag = 0;
    probe.turn = 20;
    expect(a.level()).toBe("degrade");
    probe.turn = 0;
    expect(a.level()).toBe("normal");
  });

  it("keeps degrading for the hold time after the last bound was reached, then admits normally", () => {
    const probe = { lag: 0, turn: 0, lagMs: () => probe.lag, turnLagMs: () => probe.turn };
    let t = 0;
    const a = new Admission({ ...LIMITS, degradeHoldMs: 1_000 }, probe, () => t);
    expect(a.level()).toBe("normal");
    probe.turn = 80;
    expect(a.level()).toBe("shed");
    probe.turn = 0;
    t = 400;
    expect(a.level()).toBe("degrade");
    probe.lag = 25; // a bound again: the hold runs from here
    t = 900;
    expect(a.level()).toBe("degrade");
    probe.lag = 0;
    t = 1_899;
    expect(a.level()).toBe("degrade");
    t = 1_900;
    expect(a.level()).toBe("normal");
  });

  it("holds degraded after a full checkout as slow as the bound, not after a degraded one", async () => {
    let t = 0;
    const a = new Admission({ ...LIMITS, degradeHoldMs: 1_000 }, pinnedLag(), () => t);
    const slow = (degraded: boolean) =>
      a.track(async () => {
        t += 100;
      }, degraded);
    await slow(true);
    expect(a.level()).toBe("normal");
    await slow(false); // 100 ms: its round trips queued
    t += 999;
    expect(a.level()).toBe("degrade");
    t += 1;
    expect(a.level()).toBe("normal");
  });

  it("stops counting a checkout that fails", async () => {
    const a = new Admission(LIMITS, pinnedLag());
    await expect(a.track(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(a.checkoutsInFlight).toBe(0);
  });
});

/** A 10 ms probe on a clock the test moves: `advance` lets time pass, `tickAfter` also runs a tick. */
function probeOnAClock() {
  let t = 1_000;
  const probe = new TimerLagProbe(10, () => t);
  const advance = (ms: number) => {
    t += ms;
  };
  const tickAfter = (ms: number) => {
    advance(ms);
    probe.tick();
  };
  return { probe, advance, tickAfter };
}

describe("TimerLagProbe", () => {
  it("reads the lag the loop has kept for two ticks, not one late tick", () => {
    const { probe, tickAfter } = probeOnAClock();
    tickAfter(10);
    expect(probe.lagMs()).toBe(0);
    tickAfter(60); // one tick 50 ms late: a pause, not overload
    expect(probe.lagMs()).toBe(0);
    tickAfter(10);
    expect(probe.lagMs()).toBe(0);
    tickAfter(45); // overloaded: every tick runs late
    tickAfter(40);
    expect(probe.lagMs()).toBe(30);
    tickAfter(50);
    expect(probe.lagMs()).toBe(30);
    tickAfter(10); // recovered
    expect(probe.lagMs()).toBe(0);
  });
});

describe("TimerLagProbe's turn lag", () => {
  it("is how far past due the next tick is, once the last tick was late too", () => {
    const { probe, tickAfter, advance } = probeOnAClock();
    tickAfter(10);
    advance(70); // a turn running long after an on-time tick: one stall, not overload
    expect(probe.turnLagMs()).toBe(0);
    tickAfter(0); // that tick ran 60 ms late
    expect(probe.turnLagMs()).toBe(0); // this turn has just begun
    advance(40); // 30 ms past the next tick's due time, and still running
    expect(probe.turnLagMs()).toBe(30);
    expect(probe.lagMs()).toBe(0); // what the last two ticks say: nothing yet
    advance(100);
    expect(probe.turnLagMs()).toBe(60); // no more than the last tick's lag
    tickAfter(0);
    tickAfter(10); // on time again
    advance(5);
    expect(probe.turnLagMs()).toBe(0);
  });
});

describe("POST /v1/score under overload", () => {
  const probe = pinnedLag();
  let h: ApiHarness;
  beforeAll(async () => {
    // The embedded stores: admission decides before any of them is asked.
    h = await startApi({
      lagProbe: probe,
      env: {
        ADMISSION_DEGRADE_LAG_MS: "20",
        ADMISSION_SHED_LAG_MS: "80",
        // Each test pins its own level: none carries over to the next.
        ADMISSION_DEGRADE_HOLD_MS: "0",
        ADMISSION_RETRY_AFTER_SECONDS: "2",
      },
    });
  });
  afterAll(async () => h.close());

  const score = (body: unknown, headers = bearer(TOKENS.score)) =>
    h.app.inject({ method: "POST", url: "/v1/score", headers, payload: body as object });
  const admissionCount = async (level: string) =>
    (await h.registry.getSingleMetric("riskgate_admission_total")?.get())?.values.find(
      (v) => v.labels.level === level,
    )?.value ?? 0;

  it("answers from the rules on request-time data, degraded with an OVERLOAD reason, and counts it", async () => {
    probe.lag = 30;
    const res = await score(checkout("adm-degraded", T0));
    probe.lag = 0;
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.mode).toBe("degraded");
    expect(body.model).toBeNull();
    expect(body.score).toBeNull();
    expect(body.reasons.map((r: { code: string }) => r.code)).toContain("OVERLOAD");
    expect(await admissionCount("degraded")).toBe(1);
    // Not stored for idempotency: the retry, once the load is gone, gets the full pipeline.
    const retry = await score(checkout("adm-degraded", T0));
    expect(retry.json().mode).toBe("normal");
  });

  it("answers degraded without waiting for the velocity update, which it still sends", async () => {
    const apply = h.store.apply.bind(h.store);
    const sent: string[] = [];
    // A velocity update that never completes: on a saturated loop each Redis round trip is a turn.
    h.store.apply = (update) => {
      sent.push(update.eventId);
      return new Promise(() => {});
    };
    try {
      probe.lag = 30;
      const res = await score(checkout("adm-velocity", T0));
      expect(res.statusCode).toBe(200);
      expect(res.json().mode).toBe("degraded");
      expect(sent).toEqual(["adm-velocity"]);
    } finally {
      probe.lag = 0;
      h.store.apply = apply;
    }
  });

  it("still blocks what request-time rules block", async () => {
    probe.lag = 30;
    const c = checkout("adm-sanctioned", T0);
    const res = await score({ ...c, device: { ...c.device, ip_country: "KP" } });
    probe.lag = 0;
    expect(res.json().decision).toBe("block");
    expect(res.json().mode).toBe("degraded");
  });

  it("sheds with 503 overloaded and Retry-After before reading the body, and counts it", async () => {
    probe.lag = 100;
    // Not even a valid body or key is looked at.
    const res = await h.app.inject({ method: "POST", url: "/v1/score", payload: "not json" });
    probe.lag = 0;
    expect(res.statusCode).toBe(503);
    expect(res.headers["retry-after"]).toBe("2");
    expect(res.json()).toEqual({ error: { code: "overloaded", message: expect.stringContaining("retry") } });
    expect(await admissionCount("shed")).toBe(1);
  });

  it("scores normally below the bounds", async () => {
    probe.lag = 19;
    const res = await score(checkout("adm-normal", T0));
    probe.lag = 0;
    expect(res.json().mode).toBe("normal");
  });
});
