import { describe, expect, it } from "vitest";
import { settles } from "../src/checks.ts";
import type { Outcome } from "../src/results.ts";
import type { ActionContext } from "../src/scenario.ts";

const at = (atMs: number, mode: string): Outcome => ({
  stage: "s",
  atMs,
  latencyMs: 1,
  code: 200,
  error: "",
  mode,
  decision: "allow",
});
// 10 answers a second from t=0 to t=10 s; the mode flips to rules_only at flipMs.
const run = (flipMs: number, noise: number[] = []) =>
  Array.from({ length: 100 }, (_, i) =>
    at(i * 100, i * 100 >= flipMs && !noise.includes(i) ? "rules_only" : "normal"),
  );
const input = (outcomes: Outcome[]) => ({
  outcomes,
  marks: new Map([["engaged", 2_000]]),
  samples: new Map(),
  ctx: {} as ActionContext,
});
const check = (tolerance?: number) =>
  settles({
    name: "flip",
    after: "engaged",
    withinMs: 1000,
    want: "rules_only",
    predicate: (o) => o.mode === "rules_only",
    ...(tolerance === undefined ? {} : { tolerance }),
  });

describe("settles", () => {
  it("measures the time from the mark to the first answer from which all are as wanted", async () => {
    const ok = await check().run(input(run(2_500)));
    expect(ok.pass).toBe(true);
    expect(ok.detail).toMatch(/^rules_only 500 ms after engaged/);
    const late = await check().run(input(run(3_500)));
    expect(late.pass).toBe(false);
    expect(late.detail).toMatch(/^rules_only 1500 ms/);
  });

  it("fails when the answers never settle or the mark never happened", async () => {
    expect((await check().run(input(run(20_000)))).detail).toMatch(/never settled/);
    const noMark = await check().run({ ...input(run(0)), marks: new Map() });
    expect(noMark.pass).toBe(false);
  });

  it("with a tolerance, an isolated miss after the flip does not move the settle point", async () => {
    const noisy = run(2_500, [80]);
    expect((await check().run(input(noisy))).pass).toBe(false);
    expect((await check(0.02).run(input(noisy))).detail).toMatch(/^rules_only 500 ms/);
  });
});
