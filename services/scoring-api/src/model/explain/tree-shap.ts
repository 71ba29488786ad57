import { goesLeft, type LgbModel, type LgbTree } from "./lightgbm-text.ts";

/**
 * Exact TreeSHAP (Lundberg, Erion & Lee 2018, "Consistent Individualized Feature Attribution for
 * Tree Ensembles", Algorithm 2), written to follow LightGBM's Tree::TreeSHAP / PredictContrib
 * line for line (same cover = training row counts, same unwinding arithmetic, same order of
 * additions), so the output is LightGBM's `pred_contrib` up to float rounding.
 *
 * Cost is O(trees · leaves · depth²). All scratch space is allocated once per model: the "unique
 * path" of every recursion level lives in four flat typed arrays, level k starting where level
 * k-1's copy ends (LightGBM's layout), so a call allocates nothing.
 */
export class TreeShap {
  /** Expected value of the model's raw output over the training data: the SHAP base value. */
  readonly bias: number;
  readonly numFeatures: number;

  // One "PathElement" per slot, struct-of-arrays.
  private readonly pathFeature: Int32Array;
  private readonly pathZero: Float64Array;
  private readonly pathOne: Float64Array;
  private readonly pathWeight: Float64Array;

  // Per-call state, kept on the instance so the recursion passes only numbers.
  private tree: LgbTree;
  private x: ArrayLike<number> = [];
  private phi: Float64Array = new Float64Array(0);

  constructor(private readonly model: LgbModel) {
    this.numFeatures = model.featureNames.length;
    const len = model.maxDepth + 1;
    const slots = (len * (len + 1)) / 2;
    this.pathFeature = new Int32Array(slots);
    this.pathZero = new Float64Array(slots);
    this.pathOne = new Float64Array(slots);
    this.pathWeight = new Float64Array(slots);
    let bias = 0;
    for (const t of model.trees) bias += expectedValue(t);
    this.bias = bias;
    this.tree = model.trees[0] as LgbTree;
  }

  /**
   * Writes one SHAP value per feature into `phi` (overwriting it). `x` must already be in the
   * precision the splits should see (see explainer.ts: float32). sum(phi) + bias = raw score.
   */
  shap(x: ArrayLike<number>, phi: Float64Array): void {
    if (phi.length !== this.numFeatures) throw new Error(`phi must have ${this.numFeatures} slots`);
    phi.fill(0);
    this.x = x;
    this.phi = phi;
    for (const t of this.model.trees) {
      if (t.numLeaves === 1) continue; // constant tree: all of it is in the bias
      this.tree = t;
      this.recurse(0, 0, 0, 1, 1, -1);
    }
    this.x = [];
    this.phi = new Float64Array(0);
  }

  private recurse(
    node: number,
    parentStart: number,
    depth: number,
    zeroFraction: number,
    oneFraction: number,
    featureIndex: number,
  ): void {
    const t = this.tree;
    const pf = this.pathFeature;
    const pz = this.pathZero;
    const po = this.pathOne;
    const pw = this.pathWeight;
    // This level's path starts right after the parent's first `depth` elements (LightGBM layout).
    const start = parentStart + depth;
    if (depth > 0) {
      pf.copyWithin(start, parentStart, parentStart + depth);
      pz.copyWithin(start, parentStart, parentStart + depth);
      po.copyWithin(start, parentStart, parentStart + depth);
      pw.copyWithin(start, parentStart, parentStart + depth);
    }
    this.extend(start, depth, zeroFraction, oneFraction, featureIndex);

    if (node < 0) {
      const value = t.leafValue[~node] as number;
      for (let i = 1; i <= depth; i++) {
        const w = this.unwoundSum(start, depth, i);
        const el = start + i;
        const f = pf[el] as number;
        this.phi[f] = (this.phi[f] as number) + w * ((po[el] as number) - (pz[el] as number)) * value;
      }
      return;
    }

    const split = t.splitFeature[node] as number;
    const left = t.leftChild[node] as number;
    const right = t.rightChild[node] as number;
    const hot = goesLeft(t.decisionType[node] as number, t.threshold[node] as number, this.x[split] as number)
      ? left
      : right;
    const cold = hot === left ? right : left;
    const w = t.internalCount[node] as number;
    const hotZero = count(t, hot) / w;
    const coldZero = count(t, cold) / w;
    let incomingZero = 1;
    let incomingOne = 1;

    // A feature already split on above: undo that split so this node redoes it (Algorithm 2, l. 14).
    let pathIndex = 0;
    for (; pathIndex <= depth; pathIndex++) if (pf[start + pathIndex] === split) break;
    let d = depth;
    if (pathIndex !== depth + 1) {
      incomingZero = pz[start + pathIndex] as number;
      incomingOne = po[start + pathIndex] as number;
      this.unwind(start, d, pathIndex);
      d -= 1;
    }
    this.recurse(hot, start, d + 1, hotZero * incomingZero, incomingOne, split);
    this.recurse(cold, start, d + 1, coldZero * incomingZero, 0, split);
  }

  private extend(start: number, depth: number, zeroFraction: number, oneFraction: number, feature: number) {
    const pw = this.pathWeight;
    this.pathFeature[start + depth] = feature;
    this.pathZero[start + depth] = zeroFraction;
    this.pathOne[start + depth] = oneFraction;
    pw[start + depth] = depth === 0 ? 1 : 0;
    for (let i = depth - 1; i >= 0; i--) {
      const wi = pw[start + i] as number;
      pw[start + i + 1] = (pw[start + i + 1] as number) + (oneFraction * wi * (i + 1)) / (depth + 1);
      pw[start + i] = (zeroFraction * wi * (depth - i)) / (depth + 1);
    }
  }

  private unwind(start: number, depth: number, pathIndex: number) {
    const pw = this.pathWeight;
    const one = this.pathOne[start + pathIndex] as number;
    const zero = this.pathZero[start + pathIndex] as number;
    let nextOne = pw[start + depth] as number;
    for (let i = depth - 1; i >= 0; i--) {
      if (one !== 0) {
        const tmp = pw[start + i] as number;
        pw[start + i] = (nextOne * (depth + 1)) / ((i + 1) * one);
        nextOne = tmp - ((pw[start + i] as number) * zero * (depth - i)) / (depth + 1);
      } else {
        pw[start + i] = ((pw[start + i] as number) * (depth + 1)) / (zero * (depth - i));
      }
    }
    for (let i = pathIndex; i < depth; i++) {
      this.pathFeature[start + i] = this.pathFeature[start + i + 1] as number;
      this.pathZero[start + i] = this.pathZero[start + i + 1] as number;
      this.pathOne[start + i] = this.pathOne[start + i + 1] as number;
    }
  }

  /** Total permutation weight if element `pathIndex` were unwound, without modifying the path. */
  private unwoundSum(start: number, depth: number, pathIndex: number): number {
    const pw = this.pathWeight;
    const one = this.pathOne[start + pathIndex] as number;
    const zero = this.pathZero[start + pathIndex] as number;
    let nextOne = pw[start + depth] as number;
    let total = 0;
    if (one !== 0) {
      for (let i = depth - 1; i >= 0; i--) {
        const tmp = nextOne / ((i + 1) * one);
        total += tmp;
        nextOne = (pw[start + i] as number) - tmp * zero * (depth - i);
      }
    } else {
      for (let i = depth - 1; i >= 0; i--) total += (pw[start + i] as number) / (zero * (depth - i));
    }
    return total * (depth + 1);
  }
}

function count(t: LgbTree, node: number): number {
  return node >= 0 ? (t.internalCount[node] as number) : (t.leafCount[~node] as number);
}

/** LightGBM's Tree::ExpectedValue: leaf values weighted by their share of training rows. */
export function expectedValue(t: LgbTree): number {
  if (t.numLeaves === 1) return t.leafValue[0] as number;
  const total = t.internalCount[0] as number;
  let ev = 0;
  for (let i = 0; i < t.numLeaves; i++)
    ev += ((t.leafCount[i] as number) / total) * (t.leafValue[i] as number);
  return ev;
}
