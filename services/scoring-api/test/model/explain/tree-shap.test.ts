import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  goesLeft,
  type LgbModel,
  parseLightGbmText,
  predictRaw,
} from "../../../src/model/explain/lightgbm-text.ts";
import { TreeShap } from "../../../src/model/explain/tree-shap.ts";
import { bruteForce } from "./shapley.ts";
import { tinyModelText } from "./tiny-model.ts";

const model = parseLightGbmText(tinyModelText());
const M = model.featureNames.length;

function shap(m: LgbModel, x: number[]): { phi: number[]; bias: number } {
  const s = new TreeShap(m);
  const phi = new Float64Array(M);
  s.shap(Float64Array.from(x), phi);
  return { phi: [...phi], bias: s.bias };
}

// Inputs that hit thresholds exactly, the default-direction cases and ordinary values.
const row = fc.tuple(
  fc.oneof(fc.constantFrom(-1, 0.3, 0.5, -2, 2), fc.double({ min: -2, max: 2, noNaN: true })),
  fc.oneof(fc.constantFrom(1.5, 2.5, 0), fc.double({ min: 0, max: 4, noNaN: true })),
  fc.oneof(fc.constantFrom(10, Number.NaN, 0), fc.double({ min: 0, max: 20, noNaN: true })),
);

describe("TreeShap on a hand-made 2-tree model", () => {
  it("gives the hand-computed values", () => {
    // x = (a 0, b 1, c 5). Tree 0: v{}=0.1275, v{a}=0.025, v{b}=0.28, v{a,b}=0.1
    //   -> a -0.14125, b 0.11375. Tree 1: v{}=0.005, v{a}=0.2, v{c}=0.0675, v{a,c}=0.2
    //   -> a 0.16375, c 0.03125.
    const { phi, bias } = shap(model, [0, 1, 5]);
    expect(bias).toBeCloseTo(0.1325, 14);
    expect(phi[0]).toBeCloseTo(-0.14125 + 0.16375, 14);
    expect(phi[1]).toBeCloseTo(0.11375, 14);
    expect(phi[2]).toBeCloseTo(0.03125, 14);
    expect(predictRaw(model, [0, 1, 5])).toBeCloseTo(0.3, 14);
  });

  it("equals brute-force Shapley values for each tree alone and for the ensemble", () => {
    const single = model.trees.map((t) => ({ ...model, trees: [t], maxDepth: t.depth }));
    fc.assert(
      fc.property(row, (x) => {
        for (const m of [...single, model]) {
          const got = shap(m, x);
          const want = bruteForce(m.trees, x, M);
          expect(got.bias).toBeCloseTo(want.bias, 12);
          got.phi.forEach((p, i) => {
            expect(p).toBeCloseTo(want.phi[i] as number, 12);
          });
          // Local accuracy: the explanation adds up to the prediction.
          expect(got.phi.reduce((a, b) => a + b, got.bias)).toBeCloseTo(predictRaw(m, x), 12);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("puts a single-leaf tree entirely into the bias", () => {
    const stump = "Tree=2\nnum_leaves=1\nnum_cat=0\nleaf_value=0.25\nis_linear=0\nshrinkage=1\n";
    const withStump = parseLightGbmText(tinyModelText({ extraTree: stump }));
    expect(withStump.trees).toHaveLength(3);
    const a = shap(model, [0, 1, 5]);
    const b = shap(withStump, [0, 1, 5]);
    expect(b.bias).toBeCloseTo(a.bias + 0.25, 14);
    expect(b.phi).toEqual(a.phi);
  });
});

describe("goesLeft follows LightGBM's numerical decision", () => {
  const NONE_LEFT = 2; // default_left, missing None
  const ZERO_RIGHT = 1 << 2; // missing Zero, default right
  const NAN_LEFT = 2 | (2 << 2);
  const NAN_RIGHT = 2 << 2;
  it("compares value <= threshold", () => {
    expect(goesLeft(NONE_LEFT, 1.5, 1.5)).toBe(true);
    expect(goesLeft(NONE_LEFT, 1.5, 1.5000001)).toBe(false);
  });
  it("treats NaN as 0 unless missing type is NaN", () => {
    expect(goesLeft(NONE_LEFT, -1, Number.NaN)).toBe(false); // 0 <= -1 is false
    expect(goesLeft(NONE_LEFT, 1, Number.NaN)).toBe(true);
    expect(goesLeft(NAN_RIGHT, 1, Number.NaN)).toBe(false);
    expect(goesLeft(NAN_LEFT, -1, Number.NaN)).toBe(true);
  });
  it("sends (near-)zero the default way when missing type is Zero", () => {
    expect(goesLeft(ZERO_RIGHT, 5, 0)).toBe(false);
    expect(goesLeft(ZERO_RIGHT, 5, 1e-36)).toBe(false);
    expect(goesLeft(ZERO_RIGHT, 5, Number.NaN)).toBe(false);
    expect(goesLeft(ZERO_RIGHT, 5, 1)).toBe(true);
  });
});
