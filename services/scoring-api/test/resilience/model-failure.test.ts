// Acceptance: a model that throws, or runs past MODEL_TIMEOUT_MS, opens the model's breaker; checkouts
// are answered 200 by the rules (mode: degraded), and the breaker closes by itself once the model
// recovers. The fault is injected by wrapping the loaded champion's predict in the test: no
// production switch exists for it.
import { setTimeout as sleep } from "node:timers/promises";
import { type ApiHarness, bearer, startApi, TOKENS } from "@riskgate/test-support/api-harness";
import { checkout, T0 } from "@riskgate/test-support/events";
import { waitFor } from "@riskgate/test-support/services";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScoringModel } from "../../src/decision/types.ts";
import type { ScoreResponse } from "../../src/scoring/score-service.ts";
import { metricValue, SteadyLoad, summary } from "./steady-load.ts";

const COOLDOWN_MS = 300;
const THRESHOLD = 5;
const REVIEW_MESSAGE = { text: "please whatsapp me, details at www.example-pay.com/booking" };

type Fault = "none" | "throw" | "slow";

/** Wraps the model's predict: the real inference, unless a fault is switched on. */
function faulty(model: ScoringModel) {
  const real = model.predict.bind(model);
  const ctl = { fault: "none" as Fault, calls: 0 };
  model.predict = async (features) => {
    ctl.calls++;
    if (ctl.fault === "throw") throw new Error("simulated inference failure");
    const p = await real(features);
    if (ctl.fault === "slow") await sleep(60); // past MODEL_TIMEOUT_MS (25 ms)
    return p;
  };
  return ctl;
}

let h: ApiHarness;
let ctl: ReturnType<typeof faulty>;
let n = 0;

beforeAll(async () => {
  h = await startApi({
    env: { BREAKER_COOLDOWN_MS: String(COOLDOWN_MS), BREAKER_FAILURE_THRESHOLD: String(THRESHOLD) },
  });
  ctl = faulty(h.router.champion);
});
afterAll(async () => {
  await h?.close();
});

async function score(over: Parameters<typeof checkout>[2] = {}) {
  n++;
  const t = performance.now();
  const res = await h.app.inject({
    method: "POST",
    url: "/v1/score",
    headers: bearer(TOKENS.score),
    payload: checkout(`model-${n}`, T0 + n * 1_000, over),
  });
  expect(res.statusCode).toBe(200);
  return { ...(res.json() as ScoreResponse), latencyMs: performance.now() - t };
}

const scrape = async () => (await h.app.inject({ method: "GET", url: "/metrics" })).body;
const state = async () => metricValue(await scrape(), "riskgate_breaker_state", { dependency: "model" });
const transitions = async (to: string) =>
  metricValue(await scrape(), "riskgate_breaker_transitions_total", { dependency: "model", to }) ?? 0;

async function recovers() {
  ctl.fault = "none";
  const since = performance.now();
  await waitFor(async () => (await score()).mode === "normal", {
    timeoutMs: 10 * COOLDOWN_MS + 5_000,
    intervalMs: 20,
    what: "a normal answer after the model recovered",
  });
  const took = performance.now() - since;
  expect(took).toBeLessThan(COOLDOWN_MS + 2_000);
  expect(await state()).toBe(0);
  for (let i = 0; i < 10; i++) expect((await score()).mode).toBe("normal");
  return took;
}

describe("model failure", () => {
  it("a throwing model: rules decide (degraded, 200), the breaker opens, and closes after recovery", async () => {
    const healthy = await score();
    expect(healthy.mode).toBe("normal");
    expect(healthy.score).toEqual(expect.any(Number));

    ctl.fault = "throw";
    ctl.calls = 0;
    const opensBefore = await transitions("open");
    const answers: Awaited<ReturnType<typeof score>>[] = [];
    // Every third checkout carries a message the rules send to review.
    const next = async () =>
      answers.push(await score(answers.length % 3 === 0 ? { message: REVIEW_MESSAGE } : {}));
    // It opens after THRESHOLD failures spread over BREAKER_MIN_FAILURE_SPAN_MS (50 ms).
    await waitFor(async () => (await next()) > 0 && (await transitions("open")) > opensBefore, {
      timeoutMs: 5_000,
      intervalMs: 10,
      what: "the model breaker to open",
    });
    // (Fewer than THRESHOLD throws when a stall made the healthy call above run past the budget.)
    expect(ctl.calls).toBeGreaterThan(0);
    const callsAtOpen = ctl.calls;
    const t0 = performance.now();
    for (let i = 0; i < 30; i++) await next();
    expect(answers.filter((a) => a.mode !== "degraded" || a.score !== null || a.model !== null)).toEqual([]);
    // The rules still decide: the suspicious message is sent to review without any model score.
    const flagged = answers.filter((_, i) => i % 3 === 0);
    expect(flagged.every((a) => a.decision === "review" && a.rules.length > 0)).toBe(true);
    expect(answers.filter((_, i) => i % 3 !== 0).every((a) => a.decision === "allow")).toBe(true);
    // Open, it keeps checkouts away from the model: at most one probe per cool-down.
    const probes = Math.ceil((performance.now() - t0) / COOLDOWN_MS) + 1;
    expect(ctl.calls - callsAtOpen).toBeLessThanOrEqual(probes);
    const ready = await h.app.inject({ method: "GET", url: "/readyz" });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().degraded.join(" ")).toMatch(/model circuit breaker is (open|half-open)/);

    const took = await recovers();
    console.info(`model throw: normal again ${Math.round(took)} ms after the model recovered`);
    expect(await transitions("closed")).toBeGreaterThanOrEqual(1);
  });

  it("a model slower than MODEL_TIMEOUT_MS: its answers are used, then it is skipped until it is fast again", async () => {
    const opensBefore = await transitions("open");
    ctl.fault = "slow";
    ctl.calls = 0;
    const slow = [];
    for (let i = 0; i < THRESHOLD; i++) slow.push(await score());
    // Slow answers that arrived are served (they cost their time already), but counted as failures.
    expect(slow.every((a) => a.mode === "normal" && typeof a.score === "number")).toBe(true);
    expect(await transitions("open")).toBeGreaterThan(opensBefore);
    expect(
      metricValue(await scrape(), "riskgate_dependency_errors_total", { dependency: "model_timeout" }),
    ).toBeGreaterThanOrEqual(THRESHOLD);

    // Now open: a steady stream is answered by the rules, without waiting for the slow model.
    const load = new SteadyLoad(h, (i) => checkout(`slow-model-${i}`, T0 + i * 1_000), {
      ratePerSec: 50,
      maxRequests: 10,
    });
    load.start();
    await waitFor(() => load.samples.length === 10, { timeoutMs: 10_000, what: "10 answers while open" });
    const open = await load.stop();
    console.info(`slow model, breaker open: ${JSON.stringify(summary(open))}`);
    expect(open.every((s) => s.status === 200)).toBe(true);
    // Open: answered without the model, fast; only a probe per cool-down waits for the model.
    const degraded = open.filter((s) => s.mode === "degraded");
    expect(degraded.length).toBeGreaterThanOrEqual(5);
    expect(summary(degraded).p50).toBeLessThan(10);
    expect(summary(open).max).toBeLessThan(200);
    expect(ctl.calls - THRESHOLD).toBe(open.length - degraded.length); // the probes

    await recovers();
  });
});
