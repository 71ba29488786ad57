import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_FAST_TREE_SHAP_LIMITS,
  FastTreeShap,
  type FastTreeShapLimits,
} from "../../../src/model/explain/fast-tree-shap.ts";
import { gaussLegendre } from "../../../src/model/explain/gauss-legendre.ts";
import {
  goesLeft,
  type LgbModel,
  type LgbTree,
  parseLightGbmText,
  predictRaw,
  ZERO_THRESHOLD,
} from "../../../src/model/explain/lightgbm-text.ts";
import { splitValue } from "../../../src/model/explain/split-value.ts";
import { TreeShap } from "../../../src/model/explain/tree-shap.ts";
import { bruteForce, DECISION_TYPES, modelArb, modelOf, rowArb, THRESHOLDS, toTree } from "./shapley.ts";
import { tinyModelText } from "./tiny-model.ts";

function run(s: FastTreeShap | TreeShap, x: readonly number[]): number[] {
  const phi = new Float64Array(s.numFeatures);
  s.shap(Float64Array.from(x), phi);
  return [...phi];
}

/** |a - b| <= tol, NaN only against NaN. */
function expectClose(got: readonly number[], want: readonly number[], tol: number): void {
  expect(got).toHaveLength(want.length);
  got.forEach((g, i) => {
    const w = want[i] as number;
    if (Number.isNaN(w)) expect(g).toBeNaN();
    else expect(Math.abs(g - w), `feature ${i}: ${g} vs ${w}`).toBeLessThanOrEqual(tol);
  });
}

const M = 4;

describe("FastTreeShap equals TreeShap and brute-force Shapley values", () => {
  it("on the hand-made 2-tree model (tree 1 splits twice on a along a path)", () => {
    const model = parseLightGbmText(tinyModelText());
    const fast = new FastTreeShap(model);
    const ref = new TreeShap(model);
    expect(fast.bias).toBe(ref.bias);
    expectClose(run(fast, [0, 1, 5]), [-0.14125 + 0.16375, 0.11375, 0.03125], 1e-14);
    fc.assert(
      fc.property(rowArb(3), (x) => {
        expectClose(run(fast, x), run(ref, x), 1e-13);
        expectClose(run(fast, x), bruteForce(model.trees, x, 3).phi, 1e-12);
      }),
      { numRuns: 300 },
    );
  });

  it("on random models: repeated features on a path, thresholds equal to inputs, NaN, all missing types", () => {
    let repeated = 0;
    fc.assert(
      fc.property(modelArb(M), fc.array(rowArb(M), { minLength: 1, maxLength: 4 }), (model, rows) => {
        if (model.trees.some(hasRepeatedFeatureOnAPath)) repeated++;
        const fast = new FastTreeShap(model);
        const ref = new TreeShap(model);
        expect(fast.fallbackTrees).toBe(0);
        expect(fast.bias).toBeCloseTo(ref.bias, 14);
        for (const x of rows) {
          const got = run(fast, x);
          expectClose(got, run(ref, x), 1e-12);
          const want = bruteForce(model.trees, x, M);
          expectClose(got, want.phi, 1e-11);
          // Local accuracy: the explanation adds up to the prediction.
          expect(got.reduce((a, b) => a + b, fast.bias)).toBeCloseTo(predictRaw(model, x), 11);
        }
      }),
      { numRuns: 400 },
    );
    // The generator must exercise the merge of duplicate features, not just allow it.
    expect(repeated).toBeGreaterThan(100);
  });

  it("merges a feature split three times on one path, with other features between", () => {
    // f0 <= 1 ? (f1 <= 0 ? (f0 <= 0 ? (f0 <= -1 ? A : B) : C) : D) : (f2 <= 0.5 ? E : (f0 <= 2 ? F : G))
    const leaf = (value: number, count: number) => ({ leaf: true as const, value, count });
    const split = (feature: number, threshold: number, left: Shape, right: Shape, decisionType = 2) => ({
      leaf: false as const,
      feature,
      threshold,
      decisionType,
      left,
      right,
    });
    type Shape = Parameters<typeof toTree>[0];
    const tree = toTree(
      split(
        0,
        1,
        split(
          1,
          0,
          split(0, 0, split(0, -1, leaf(1.5, 7), leaf(-0.5, 11), 10), leaf(0.25, 13)),
          leaf(-1, 17),
        ),
        split(2, 0.5, leaf(0.75, 19), split(0, 2, leaf(2, 23), leaf(-2, 29), 8), 4),
      ),
    );
    const model = modelOf([tree], 3);
    const fast = new FastTreeShap(model);
    const ref = new TreeShap(model);
    const values = [-2, -1, -0.5, 0, 0.5, 1, 1.5, 2, 3, Number.NaN];
    for (const a of values)
      for (const b of [-1, 0, 1, Number.NaN])
        for (const c of [0, 0.5, 1, Number.NaN]) {
          const x = [a, b, c];
          expectClose(run(fast, x), run(ref, x), 1e-13);
          expectClose(run(fast, x), bruteForce([tree], x, 3).phi, 1e-12);
        }
  });

  it("puts a single-leaf tree entirely into the bias", () => {
    const stump = "Tree=2\nnum_leaves=1\nnum_cat=0\nleaf_value=0.25\nis_linear=0\nshrinkage=1\n";
    const withStump = parseLightGbmText(tinyModelText({ extraTree: stump }));
    const plain = new FastTreeShap(parseLightGbmText(tinyModelText()));
    const fast = new FastTreeShap(withStump);
    expect(fast.bias).toBeCloseTo(plain.bias + 0.25, 14);
    expect(run(fast, [0, 1, 5])).toEqual(run(plain, [0, 1, 5]));
    const onlyStump = parseLightGbmText(tinyModelText({ extraTree: stump }));
    const lone = new FastTreeShap({ ...onlyStump, trees: onlyStump.trees.slice(2), maxDepth: 0 });
    expect(lone.bias).toBe(0.25);
    expect(run(lone, [0, 1, 5])).toEqual([0, 0, 0]);
  });

  it("rejects rows and outputs of the wrong width", () => {
    const fast = new FastTreeShap(parseLightGbmText(tinyModelText()));
    expect(() => fast.shap(new Float64Array(2), new Float64Array(3))).toThrow(/must have 3 slots/);
    expect(() => fast.shap(new Float64Array(3), new Float64Array(4))).toThrow(/must have 3 slots/);
  });
});

describe("FastTreeShap memory bounds", () => {
  it("leaves trees over the limits to TreeShap, with the same results", () => {
    const limitsArb = fc.record({
      maxPathFeatures: fc.integer({ min: 0, max: 4 }),
      maxBytes: fc.oneof(
        fc.constant(0),
        fc.integer({ min: 0, max: 4_000 }),
        fc.constant(Number.POSITIVE_INFINITY),
      ),
    });
    let fellBack = 0;
    fc.assert(
      fc.property(modelArb(M), limitsArb, rowArb(M), (model, limits: FastTreeShapLimits, x) => {
        const fast = new FastTreeShap(model, limits);
        const splitTrees = model.trees.filter((t) => t.numLeaves > 1).length;
        expect(fast.fallbackTrees).toBeGreaterThanOrEqual(0);
        expect(fast.fallbackTrees).toBeLessThanOrEqual(splitTrees);
        if (fast.fallbackTrees > 0) fellBack++;
        expect(fast.precomputedBytes).toBeLessThanOrEqual(Math.max(limits.maxBytes, M * 10 * 8 + 64));
        expectClose(run(fast, x), run(new TreeShap(model), x), 1e-12);
      }),
      { numRuns: 300 },
    );
    expect(fellBack).toBeGreaterThan(50); // a model split between both: see the next test
  });

  it("counts each admitted tree's root slot against maxBytes", () => {
    // The property above found this: a budget exactly 4 bytes (one root) short of the tree's need.
    const model = {
      featureNames: ["f0", "f1", "f2", "f3"],
      objective: "binary sigmoid:1",
      maxDepth: 3,
      trees: [
        {
          numLeaves: 4,
          splitFeature: Int32Array.from([0, 0, 0]),
          threshold: Float64Array.from([-1, -1, -1]),
          decisionType: Uint8Array.from([0, 0, 0]),
          leftChild: Int32Array.from([1, -1, -2]),
          rightChild: Int32Array.from([-4, 2, -3]),
          leafValue: Float64Array.from([0, 0, 0, 0]),
          internalCount: Float64Array.from([4, 3, 2]),
          leafCount: Float64Array.from([1, 1, 1, 1]),
          depth: 3,
        },
      ],
    };
    const roomy = new FastTreeShap(model, { maxPathFeatures: 1, maxBytes: Number.POSITIVE_INFINITY });
    const tight = new FastTreeShap(model, { maxPathFeatures: 1, maxBytes: roomy.precomputedBytes - 4 });
    expect(tight.fallbackTrees).toBe(1);
    expect(tight.precomputedBytes).toBeLessThanOrEqual(roomy.precomputedBytes - 4);
    const exact = new FastTreeShap(model, { maxPathFeatures: 1, maxBytes: roomy.precomputedBytes });
    expect(exact.fallbackTrees).toBe(0);
  });

  it("refuses to precompute a path longer than maxPathFeatures (default 16)", () => {
    // A chain of 20 distinct features: d = 20 on its deepest path.
    const numFeatures = 20;
    const chain = (f: number): Parameters<typeof toTree>[0] =>
      f === numFeatures
        ? { leaf: true, value: 1, count: 3 }
        : {
            leaf: false,
            feature: f,
            threshold: 0,
            decisionType: 2,
            left: { leaf: true, value: f / 10, count: f + 1 },
            right: chain(f + 1),
          };
    const deep = toTree(chain(0));
    const shallow = toTree({
      leaf: false,
      feature: 3,
      threshold: 0.5,
      decisionType: 2,
      left: { leaf: true, value: -1, count: 5 },
      right: { leaf: true, value: 2, count: 9 },
    });
    const model: LgbModel = modelOf([deep, shallow], numFeatures);
    const fast = new FastTreeShap(model);
    expect(DEFAULT_FAST_TREE_SHAP_LIMITS.maxPathFeatures).toBe(16);
    expect(fast.fallbackTrees).toBe(1);
    expect(fast.points).toBe(4); // sized for the shallow tree only
    const ref = new TreeShap(model);
    for (const v of [-1, 0, 1]) {
      const x = Array.from({ length: numFeatures }, (_, i) => (i % 3 === 0 ? v : -v));
      expectClose(run(fast, x), run(ref, x), 1e-12);
    }
    // With a higher limit the same tree is precomputed (8 points for d = 20 rounds up to 12).
    const all = new FastTreeShap(model, { maxPathFeatures: 24, maxBytes: Number.POSITIVE_INFINITY });
    expect(all.fallbackTrees).toBe(0);
    expect(all.points).toBe(12);
    const x = Array.from({ length: numFeatures }, (_, i) => (i % 2 === 0 ? 1 : -1));
    expectClose(run(all, x), run(ref, x), 1e-12);
  });
});

describe("splitValue", () => {
  it("compares like LightGBM's NumericalDecision (goesLeft) for every decision type", () => {
    const values = [
      Number.NaN,
      0,
      -0,
      1e-36,
      -1e-36,
      ZERO_THRESHOLD,
      -ZERO_THRESHOLD,
      2 * ZERO_THRESHOLD,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      ...THRESHOLDS,
    ];
    const thresholds = [...THRESHOLDS, -1e-40, 1e-40, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    for (const dt of DECISION_TYPES)
      for (const t of thresholds)
        for (const v of values)
          expect(splitValue(dt, v) <= t, `dt ${dt} t ${t} v ${v}`).toBe(goesLeft(dt, t, v));
    fc.assert(
      fc.property(fc.constantFrom(...DECISION_TYPES), fc.double(), fc.double({ noNaN: true }), (dt, v, t) => {
        expect(splitValue(dt, v) <= t).toBe(goesLeft(dt, t, v));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("gaussLegendre", () => {
  it("integrates t^j over [0, 1] exactly for j <= 2m - 1", () => {
    for (let m = 1; m <= 12; m++) {
      const { t, w } = gaussLegendre(m);
      for (let j = 0; j <= 2 * m - 1; j++) {
        let sum = 0;
        t.forEach((tk, k) => {
          sum += (w[k] as number) * tk ** j;
        });
        expect(Math.abs(sum - 1 / (j + 1)), `m ${m} j ${j}`).toBeLessThan(1e-15);
      }
      for (const tk of t) expect(tk > 0 && tk < 1).toBe(true);
    }
  });
});

function hasRepeatedFeatureOnAPath(t: LgbTree): boolean {
  const walk = (node: number, seen: readonly number[]): boolean => {
    if (node < 0) return false;
    const f = t.splitFeature[node] as number;
    if (seen.includes(f)) return true;
    const next = [...seen, f];
    return walk(t.leftChild[node] as number, next) || walk(t.rightChild[node] as number, next);
  };
  return t.numLeaves > 1 && walk(0, []);
}
