import fc from "fast-check";
import { goesLeft, type LgbModel, type LgbTree } from "../../../src/model/explain/lightgbm-text.ts";

// --- Brute-force reference: Shapley values of the path-dependent value function -------------

/** v(S) = E[tree(x) | x_S]: follow x at splits on features in S, else average the children by cover. */
function conditional(t: LgbTree, x: readonly number[], known: Set<number>, node = 0): number {
  if (t.numLeaves === 1) return t.leafValue[0] as number;
  if (node < 0) return t.leafValue[~node] as number;
  const f = t.splitFeature[node] as number;
  const l = t.leftChild[node] as number;
  const r = t.rightChild[node] as number;
  if (known.has(f))
    return conditional(
      t,
      x,
      known,
      goesLeft(t.decisionType[node] as number, t.threshold[node] as number, x[f] as number) ? l : r,
    );
  const cover = (n: number) => (n >= 0 ? (t.internalCount[n] as number) : (t.leafCount[~n] as number));
  return (cover(l) * conditional(t, x, known, l) + cover(r) * conditional(t, x, known, r)) / cover(node);
}

const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));

/** phi_i = sum over S ⊆ N\{i} of |S|!(M-|S|-1)!/M! · (v(S ∪ {i}) - v(S)), all 2^M subsets. */
export function bruteForce(
  trees: readonly LgbTree[],
  x: readonly number[],
  M: number,
): { phi: number[]; bias: number } {
  const v = (mask: number) => {
    const known = new Set<number>();
    for (let f = 0; f < M; f++) if (mask & (1 << f)) known.add(f);
    return trees.reduce((s, t) => s + conditional(t, x, known), 0);
  };
  const phi = new Array<number>(M).fill(0);
  for (let i = 0; i < M; i++) {
    for (let mask = 0; mask < 1 << M; mask++) {
      if (mask & (1 << i)) continue;
      let size = 0;
      for (let f = 0; f < M; f++) if (mask & (1 << f)) size++;
      const weight = (factorial(size) * factorial(M - size - 1)) / factorial(M);
      phi[i] = (phi[i] as number) + weight * (v(mask | (1 << i)) - v(mask));
    }
  }
  return { phi, bias: v(0) };
}

// --- Random tiny models -----------------------------------------------------------------------

/** Thresholds the generated trees split at; `rowArb` hits them exactly on purpose. */
export const THRESHOLDS = [-1, 0, 0.5, 1, 2] as const;
/** LightGBM decision types: default-left bit 2, missing type None 0 / Zero 4 / NaN 8. */
export const DECISION_TYPES = [0, 2, 4, 6, 8, 10] as const;

type Shape =
  | { leaf: true; value: number; count: number }
  | { leaf: false; feature: number; threshold: number; decisionType: number; left: Shape; right: Shape };

/**
 * A random tree shape over `numFeatures` features: with 3-4 features and depth up to 6, most
 * generated paths split on some feature more than once (the case Algorithm 2 unwinds).
 */
function shapeArb(numFeatures: number, maxDepth: number): fc.Arbitrary<Shape> {
  const { node } = fc.letrec<{ node: Shape }>((tie) => ({
    node: fc.oneof(
      { depthSize: "small", maxDepth, withCrossShrink: true },
      fc.record({
        leaf: fc.constant(true as const),
        value: fc.double({ min: -2, max: 2, noNaN: true }),
        count: fc.integer({ min: 1, max: 60 }),
      }),
      fc.record({
        leaf: fc.constant(false as const),
        feature: fc.integer({ min: 0, max: numFeatures - 1 }),
        threshold: fc.constantFrom(...THRESHOLDS),
        decisionType: fc.constantFrom(...DECISION_TYPES),
        left: tie("node"),
        right: tie("node"),
      }),
    ),
  }));
  return node;
}

/** LightGBM numbering (internal nodes preorder, leaves ~index), counts summed up from the leaves. */
export function toTree(shape: Shape): LgbTree {
  if (shape.leaf)
    return {
      numLeaves: 1,
      splitFeature: new Int32Array(0),
      threshold: new Float64Array(0),
      decisionType: new Uint8Array(0),
      leftChild: new Int32Array(0),
      rightChild: new Int32Array(0),
      leafValue: Float64Array.of(shape.value),
      internalCount: new Float64Array(0),
      leafCount: Float64Array.of(shape.count),
      depth: 0,
    };
  const splitFeature: number[] = [];
  const threshold: number[] = [];
  const decisionType: number[] = [];
  const leftChild: number[] = [];
  const rightChild: number[] = [];
  const internalCount: number[] = [];
  const leafValue: number[] = [];
  const leafCount: number[] = [];
  let depth = 0;
  const walk = (s: Shape, d: number): { id: number; count: number } => {
    if (s.leaf) {
      depth = Math.max(depth, d);
      leafValue.push(s.value);
      leafCount.push(s.count);
      return { id: ~(leafValue.length - 1), count: s.count };
    }
    const id = splitFeature.length;
    splitFeature.push(s.feature);
    threshold.push(s.threshold);
    decisionType.push(s.decisionType);
    leftChild.push(0);
    rightChild.push(0);
    internalCount.push(0);
    const l = walk(s.left, d + 1);
    const r = walk(s.right, d + 1);
    leftChild[id] = l.id;
    rightChild[id] = r.id;
    internalCount[id] = l.count + r.count;
    return { id, count: l.count + r.count };
  };
  walk(shape, 0);
  return {
    numLeaves: leafValue.length,
    splitFeature: Int32Array.from(splitFeature),
    threshold: Float64Array.from(threshold),
    decisionType: Uint8Array.from(decisionType),
    leftChild: Int32Array.from(leftChild),
    rightChild: Int32Array.from(rightChild),
    leafValue: Float64Array.from(leafValue),
    internalCount: Float64Array.from(internalCount),
    leafCount: Float64Array.from(leafCount),
    depth,
  };
}

export function modelOf(trees: readonly LgbTree[], numFeatures: number): LgbModel {
  return {
    featureNames: Array.from({ length: numFeatures }, (_, i) => `f${i}`),
    objective: "binary sigmoid:1",
    trees,
    maxDepth: trees.reduce((m, t) => Math.max(m, t.depth), 0),
  };
}

/** 1-3 random trees over `numFeatures` features. */
export function modelArb(numFeatures: number, maxDepth = 6): fc.Arbitrary<LgbModel> {
  return fc
    .array(shapeArb(numFeatures, maxDepth), { minLength: 1, maxLength: 3 })
    .map((shapes) => modelOf(shapes.map(toTree), numFeatures));
}

/** Rows that hit thresholds exactly, NaN, (near-)zero for missing type Zero, and ordinary values. */
export function rowArb(numFeatures: number): fc.Arbitrary<number[]> {
  return fc.array(
    fc.oneof(
      fc.constantFrom(...THRESHOLDS, Number.NaN, 1e-36, -0),
      fc.double({ min: -3, max: 3, noNaN: true }),
    ),
    { minLength: numFeatures, maxLength: numFeatures },
  );
}
