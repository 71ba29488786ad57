import { describe, expect, it } from "vitest";
import { type Outcome, summarize } from "../src/results.ts";
import { evaluate, mergeThresholds, parseThreshold } from "../src/thresholds.ts";

const outcome = (latencyMs: number, code = 200, error = ""): Outcome => ({
  stage: "s",
  atMs: 1_000 + latencyMs,
  latencyMs,
  code,
  error,
  mode: "normal",
  decision: "allow",
});

describe("thresholds", () => {
  it("parses latency thresholds in ms, s and us", () => {
    expect(parseThreshold("p99<10ms")).toMatchObject({ metric: "p99", op: "<", value: 10 });
    expect(parseThreshold("p99.9 <= 0.025s")).toMatchObject({ metric: "p99.9", op: "<=", value: 25 });
    expect(parseThreshold("max<500us").value).toBeCloseTo(0.5);
    expect(parseThreshold("errors=0")).toMatchObject({ metric: "errors", op: "=", value: 0 });
  });

  it("refuses unknown metrics, units on counts and garbage, naming the threshold", () => {
    expect(() => parseThreshold("p42x<1ms")).toThrow(/p42x<1ms.*unknown metric/);
    expect(() => parseThreshold("errors=0ms")).toThrow(/errors takes no unit/);
    expect(() => parseThreshold("fast")).toThrow(/expected <metric><op><value>/);
  });

  it("an override replaces the scenario's thresholds on the same metric only", () => {
    const merged = mergeThresholds(["p99<10ms", "errors=0"], ["p99<250ms"]);
    expect(merged.map((t) => t.text)).toEqual(["errors=0", "p99<250ms"]);
  });

  it("passes and fails on the merged summary", () => {
    // Nearest rank: the 99th of 100 sorted latencies is the first 40 ms one.
    const outcomes = [
      ...Array.from({ length: 97 }, () => outcome(2)),
      outcome(40),
      outcome(40),
      outcome(0, 0, "timeout"),
    ];
    const s = summarize(outcomes, 105);
    expect(s.dropped).toBe(5);
    expect(s.errors).toBe(1);
    const verdicts = evaluate(mergeThresholds(["p50<5ms", "p99<10ms", "errors=0", "dropped=0"], []), s);
    expect(verdicts.map((v) => [v.threshold.text, v.pass])).toEqual([
      ["p50<5ms", true],
      ["p99<10ms", false],
      ["errors=0", false],
      ["dropped=0", false],
    ]);
  });

  it("counts 5xx apart from errors (no answer, or a 4xx) and success over every request", () => {
    // As vegeta writes them: a non-2xx answer carries its status line as `error`.
    const s = summarize(
      [
        outcome(1),
        outcome(1, 503, "503 Service Unavailable"),
        outcome(1, 500, "500 Internal Server Error"),
        outcome(1, 400, "400 Bad Request"),
      ],
      4,
    );
    expect(s.status5xx).toBe(2);
    expect(s.errors).toBe(1);
    expect(s.success).toBe(0.25);
    expect(s.codes).toEqual({ "200": 1, "400": 1, "500": 1, "503": 1 });
  });

  it("gives the latency of the 2xx answers apart: fast 503s do not hide answers that queued", () => {
    const s = summarize(
      [...Array.from({ length: 98 }, () => outcome(1, 503)), outcome(300), outcome(400)],
      100,
    );
    expect(s.latency.p99).toBe(300);
    expect(s.answered).toEqual({ p50: 300, p99: 400, "p99.9": 400, max: 400 });
  });
});
