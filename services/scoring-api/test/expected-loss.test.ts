// The expected-loss policy, the per-day review capacity and exploration, over HTTP on the real
// Redis and Kafka. The models are copies of the champion whose calibration returns one constant
// probability, so the amount alone moves the decision.
import { DAY } from "@riskgate/feature-store/definitions";
import type { Checkout } from "@riskgate/feature-store/events";
import { type ApiHarness, scoreOk, startApi } from "@riskgate/test-support/api-harness";
import { checkout, T0 } from "@riskgate/test-support/events";
import { createKafka, readJsonRecords } from "@riskgate/test-support/services";
import { afterAll, describe, expect, it } from "vitest";
import { modelCopy } from "./model-copies.ts";

// These tests assert the policy's (or the drift window's) answers, so a feature read or inference
// slowed by a busy machine must not degrade the checkout to rules.
const PATIENT = { FEATURE_TIMEOUT_MS: "5000", MODEL_TIMEOUT_MS: "5000", REDIS_COMMAND_TIMEOUT_MS: "5000" };
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** A champion copy whose every checkout scores p (Platt with slope 0). */
async function constantModel(p: number): Promise<string> {
  const copy = await modelCopy(`constant-${p}`, (m) => {
    m.calibration = { method: "platt", a: 0, b: Math.log(p / (1 - p)), eps: 1e-6 };
    // The arithmetic below is written for this cost model, whatever the champion was fitted to.
    Object.assign(m.policy as object, { decline_cost_eur: 15.65, review_min_expected_loss_eur: 4 });
  });
  cleanups.push(copy.remove);
  return copy.dir;
}

async function api(p: number, opts: Parameters<typeof startApi>[0] = {}): Promise<ApiHarness> {
  const h = await startApi({
    redis: true,
    ...opts,
    env: { MODEL_DIR: await constantModel(p), ...PATIENT, ...opts.env },
  });
  cleanups.push(() => h.close());
  return h;
}

const at = (i: number) => T0 + i * 1_000;
function priced(id: string, i: number, amount: number): Checkout {
  // A user, device and card of their own per checkout: no velocity rule sees the others.
  return checkout(id, at(i), {
    device: { id: `d_${id}`, ip: `10.1.0.${i + 1}`, ip_country: "PT", user_agent: "Mozilla/5.0" },
    user: {
      id: `u_${id}`,
      created_at: "2025-01-01T00:00:00Z",
      email_domain: "example.com",
      email_verified: true,
    },
    payment: {
      instrument_id: `pi_${id}`,
      type: "card",
      bin: "424242",
      country: "PT",
      billing_country: "PT",
    },
    booking: { amount, currency: "EUR", nights: 2, checkin_at: "2026-04-01T00:00:00Z" },
  });
}

const score = (h: ApiHarness, body: Checkout) => scoreOk(h, body);

const codes = (body: { reasons: { code: string }[] }) => body.reasons.map((r) => r.code);

describe("expected-loss policy over HTTP", () => {
  it("reviews a 3,000 EUR checkout and allows an 80 EUR one at the same probability, with the loss as reason", async () => {
    const h = await api(0.02);
    const big = await score(h, priced("el-big", 0, 3_000));
    const small = await score(h, priced("el-small", 1, 80));
    expect(big.score).toBeCloseTo(0.02, 9);
    expect(small.score).toBeCloseTo(0.02, 9);
    expect(big.decision).toBe("review");
    expect(small.decision).toBe("allow");
    const reason = big.reasons.find((r: { code: string }) => r.code === "EXPECTED_LOSS");
    // 0.02 x (3,000 + 25) = 60.50 EUR if allowed; 0.98 x 15.65 = 15.34 EUR if blocked.
    expect(reason.detail).toBe("p=0.0200 on €3000.00: expected loss €60.50 if allowed, €15.34 if blocked");
    expect(codes(small)).toEqual([]);
  });

  it("serves the manifest's cost model with configured overrides of its numbers", async () => {
    // Reviews only from 100 EUR of expected loss on: the 3,000 EUR checkout above is now allowed.
    const h = await api(0.02, { env: { REVIEW_MIN_EXPECTED_LOSS_EUR: "100" } });
    expect((await score(h, priced("ov-big", 0, 3_000))).decision).toBe("allow");
    expect((await score(h, priced("ov-huge", 1, 6_000))).decision).toBe("review");
  });

  it("blocks a near-certain fraud whatever the amount", async () => {
    const h = await api(0.95);
    for (const [i, amount] of [5, 80, 3_000].entries()) {
      const body = await score(h, priced(`blk-${i}`, i, amount));
      expect(body.decision).toBe("block");
      expect(codes(body)[0]).toBe("EXPECTED_LOSS");
    }
  });
});

describe("per-day review capacity", () => {
  it("ranks the overflow by expected loss once the budget is spent, never allowing it wholesale", async () => {
    let clock = T0;
    const h = await api(0.05, { env: { REVIEW_CAPACITY_PER_DAY: "1" }, now: () => clock });
    // At p = 0.05 all three are reviews (expected loss >= 4 EUR); the first spends the budget.
    const first = await score(h, priced("cap-a", 0, 3_000));
    // 101.25 EUR to lose by allowing, 14.87 by blocking: block.
    const dear = await score(h, priced("cap-b", 1, 2_000));
    // 11.25 EUR to lose by allowing, 14.87 by blocking: allow.
    const cheap = await score(h, priced("cap-c", 2, 200));
    expect([first.decision, dear.decision, cheap.decision]).toEqual(["review", "block", "allow"]);
    expect(first.review_case_id).toBe("rc_cap-a");
    for (const b of [dear, cheap]) {
      expect(codes(b)).toContain("REVIEW_CAPACITY_SPENT");
      expect(b.review_case_id).toBeUndefined();
    }
    const overflow = await h.registry.getSingleMetricAsString("riskgate_review_overflow_total");
    expect(overflow).toContain('action="block"} 1');
    expect(overflow).toContain('action="allow"} 1');
    // The next UTC day has a fresh budget.
    clock += DAY;
    expect((await score(h, priced("cap-d", 3, 3_000))).decision).toBe("review");
  });
});

/** mulberry32: a small seeded generator, so the exploration draws are the same on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe("exploration", () => {
  it("reviews a seeded share of would-be allows and logs exploration and propensity in the decisions topic", async () => {
    const draws = seeded(13);
    const expected = seeded(13);
    const h = await api(0.001, { kafka: true, env: { EXPLORATION_SHARE: "0.3" }, random: draws });
    const bodies = [];
    // 0.001 x (80 + 25) = 0.105 EUR: the policy allows every one of these.
    for (let i = 0; i < 30; i++) bodies.push(await score(h, priced(`ex-${i}`, i, 80)));
    // A block rule's checkout (a sanctioned country) is never explored and draws nothing.
    const ruled = priced("ex-rule", 30, 80);
    const blocked = await score(h, { ...ruled, device: { ...ruled.device, ip_country: "KP" } });
    expect(blocked.decision).toBe("block");

    const explored = bodies.map(() => expected() < 0.3);
    expect(explored.filter(Boolean).length).toBeGreaterThan(3);
    expect(explored.filter((e) => !e).length).toBeGreaterThan(3);
    expect(bodies.map((b) => b.decision)).toEqual(explored.map((e) => (e ? "review" : "allow")));
    for (const [i, b] of bodies.entries()) {
      if (explored[i]) {
        expect(codes(b)).toContain("EXPLORATION");
        expect(b.review_case_id).toBe(`rc_ex-${i}`);
      } else expect(codes(b)).toEqual([]);
    }

    const records = await readJsonRecords(
      createKafka("exploration-reader"),
      `${h.topicPrefix}decisions`,
      (rs) => rs.filter((r) => r.kind === "decision").length >= 31,
    );
    const byId = new Map(records.map((r) => [r.event_id, r]));
    for (const [i, e] of explored.entries()) {
      expect(byId.get(`ex-${i}`)).toMatchObject(
        e
          ? { decision: "review", exploration: true, propensity: 0.3 }
          : { decision: "allow", exploration: false, propensity: 0.7 },
      );
    }
    expect(byId.get("ex-rule")).toMatchObject({ decision: "block", exploration: false, propensity: 1 });
  });

  it("logs propensity 1 and no exploration when the share is 0 (the default)", async () => {
    const h = await api(0.001, { kafka: true });
    expect((await score(h, priced("nx-0", 0, 80))).decision).toBe("allow");
    const records = await readJsonRecords(
      createKafka("no-exploration-reader"),
      `${h.topicPrefix}decisions`,
      (rs) => rs.some((r) => r.event_id === "nx-0"),
    );
    expect(records.find((r) => r.event_id === "nx-0")).toMatchObject({ exploration: false, propensity: 1 });
  });
});
