import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { championDir } from "../../../src/model/champion.ts";
import { TreeExplainer } from "../../../src/model/explain/explainer.ts";
import { FastTreeShap } from "../../../src/model/explain/fast-tree-shap.ts";
import { TreeShap } from "../../../src/model/explain/tree-shap.ts";

interface ParityRow {
  event_id: string;
  features: number[];
  raw: number;
  onnx_raw: number;
  contrib: number[];
}

const TOL = 1e-6;
let names: string[];
let rows: ParityRow[];
let explainer: TreeExplainer;
/** One explanation per row, computed once (~0.2 ms each). */
let explained: { contributions: Float64Array; bias: number }[];

beforeAll(async () => {
  const dir = await championDir("models/artifacts/champion.json");
  names = (JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as { features: string[] }).features;
  rows = (await readFile(join(dir, "parity.jsonl"), "utf8"))
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as ParityRow);
  explainer = await TreeExplainer.load(dir, names);
  explained = rows.map((r) => explainer.explain(r.features));
});

const logit = (p: number) => Math.log(p / (1 - p));
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * Float32 rounding can change a split only where the float32 input equals the float32 threshold
 * (rounding is monotone: x32 < t32 implies x64 <= t64, and x32 > t32 implies x64 > t64). Checked
 * over every node, not only the prediction path: TreeSHAP evaluates every split of the tree.
 */
function hasFloat32Tie(e: TreeExplainer, features: readonly number[]): boolean {
  return e.model.trees.some((t) => {
    for (let n = 0; n < t.numLeaves - 1; n++)
      if (Math.fround(features[t.splitFeature[n] as number] as number) === t.threshold[n]) return true;
    return false;
  });
}

describe("TreeExplainer on the committed champion model", () => {
  it("parses the text model the ONNX file was exported from", () => {
    expect(rows.length).toBeGreaterThan(1000);
    expect(explainer.model.featureNames).toEqual(names);
    expect(explainer.model.trees.length).toBeGreaterThan(10);
  });

  it("adds up to the served model's score on every row: bias + sum(contributions) = log-odds of onnx_raw", () => {
    let worstSum = 0;
    let worstOnnx = 0;
    rows.forEach((row, k) => {
      const { contributions, bias } = explained[k] as { contributions: Float64Array; bias: number };
      const raw = explainer.predictRaw(row.features);
      worstSum = Math.max(worstSum, Math.abs(contributions.reduce((a, b) => a + b, bias) - raw));
      // onnx_raw is a float32 probability: compare on the probability scale at its precision.
      worstOnnx = Math.max(worstOnnx, Math.abs(sigmoid(raw) - row.onnx_raw));
    });
    expect(worstSum).toBeLessThan(1e-9);
    expect(worstOnnx).toBeLessThan(TOL);
  });

  it("has LightGBM's expected value as its bias", () => {
    for (const row of rows.slice(0, 10)) expect(explainer.bias).toBeCloseTo(row.contrib.at(-1) as number, 12);
  });

  it("matches LightGBM's pred_contrib within 1e-6 on >= 99.5 % of rows; the rest are float32 split flips", () => {
    // LightGBM computed `contrib` (and `raw`) on the float64 features; the explainer walks the
    // float32 values ONNX sees (parity `features` are those values). Where the two roundings land
    // on different sides of a threshold, the explanation legitimately differs, by design: it
    // explains the served score (the test above proves that on every row). On the committed
    // artifact that is 6 of 3000 rows (max abs diff 0.087 log-odds on those); all others agree
    // to ~1e-15. Those 6 rows must each have a split the rounding could flip, or it is a bug.
    let within = 0;
    let worstWithin = 0;
    let flipped = 0;
    rows.forEach((row, k) => {
      const { contributions, bias } = explained[k] as { contributions: Float64Array; bias: number };
      expect(bias).toBeCloseTo(row.contrib.at(-1) as number, 12);
      let worst = 0;
      contributions.forEach((c, i) => {
        worst = Math.max(worst, Math.abs(c - (row.contrib[i] as number)));
      });
      if (worst <= TOL) {
        within++;
        worstWithin = Math.max(worstWithin, worst);
      } else {
        flipped++;
        expect(hasFloat32Tie(explainer, row.features), `${row.event_id} differs by ${worst}`).toBe(true);
      }
    });
    expect(within + flipped).toBe(rows.length);
    expect(within / rows.length).toBeGreaterThanOrEqual(0.995);
    expect(worstWithin).toBeLessThan(1e-12);
  });

  it("gives the reference TreeShap's (Algorithm 2's) contributions within 1e-9 on every row", () => {
    const reference = new TreeShap(explainer.model);
    const phi = new Float64Array(names.length);
    let worst = 0;
    rows.forEach((row, k) => {
      reference.shap(Float64Array.from(row.features, Math.fround), phi);
      const { contributions } = explained[k] as { contributions: Float64Array };
      phi.forEach((want, i) => {
        worst = Math.max(worst, Math.abs((contributions[i] as number) - want));
      });
    });
    expect(worst).toBeLessThan(1e-9);
    expect(worst).toBeLessThan(1e-13); // measured 1.2e-14
  });

  it("precomputes the whole model in bounded memory (no tree left to the reference)", () => {
    const fast = new FastTreeShap(explainer.model);
    expect(fast.fallbackTrees).toBe(0);
    expect(fast.points).toBe(4); // depth <= 7: 4 quadrature points are exact
    expect(fast.precomputedBytes).toBeLessThan(4 * 1024 * 1024); // measured 2.9 MB
  });

  it("reproduces LightGBM's raw score on the rows without a float32 flip", () => {
    let matched = 0;
    for (const row of rows)
      if (Math.abs(explainer.predictRaw(row.features) - logit(row.raw)) < TOL) matched++;
    expect(matched / rows.length).toBeGreaterThanOrEqual(0.995);
  });

  it("topPositive returns positive contributions, largest first, with the values the model saw", () => {
    let nonEmpty = 0;
    rows.slice(0, 300).forEach((row, k) => {
      const { contributions } = explained[k] as { contributions: Float64Array };
      const top = explainer.topPositive(row.features, 5);
      const positives = [...contributions].filter((c) => c > 0).sort((a, b) => b - a);
      expect(top.map((r) => r.contribution)).toEqual(positives.slice(0, 5));
      for (const r of top) {
        const i = names.indexOf(r.feature);
        expect(r.contribution).toBe(contributions[i]);
        expect(r.value).toBe(Math.fround(row.features[i] as number));
      }
      if (top.length > 0) nonEmpty++;
    });
    expect(nonEmpty).toBeGreaterThan(0);
    expect(explainer.topPositive(rows[0]?.features ?? [], 0)).toEqual([]);
  });
});
