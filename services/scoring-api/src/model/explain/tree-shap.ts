import { goesLeft, type LgbModel, type LgbTree } from "./lightgbm-text.ts";

const NONE = new Float64Array(0);

/**
 * Exact TreeSHAP (Lundberg, Erion & Lee 2018, "Consistent Individualized Feature Attribution for
 * Tree Ensembles", Algorithm 2), following LightGBM's Tree::TreeSHAP / PredictContrib: same
 * cover (training row counts, not hessians), same path layout and unwinding, same per-tree
 * expected value as the bias, so the output is LightGBM's `pred_contrib` up to float rounding
 * (max 3e-15 on the committed model's parity rows given the same inputs). The leaf step is
 * reorganised for speed (see there); that only moves rounding.
 *
 * Cost is O(trees · leaves · depth²). The service explains with `FastTreeShap` (fast-tree-shap.ts:
 * same values in O(trees · nodes · depth)), which uses this class only for trees beyond its
 * precomputation limits; this is also the reference the fast one is tested against.
 *
 * All scratch space is allocated once per model: the "unique path" of every recursion level lives
 * in four flat typed arrays, level k starting where level k-1's copy ends (LightGBM's layout), so
 * a call allocates nothing.
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
  /** recip[k] = 1 / k for the path lengths that occur. */
  private readonly recip: Float64Array;

  // Per-call state, kept on the instance so the recursion passes only numbers.
  private tree: LgbTree;
  private x: Float64Array = NONE;
  private phi: Float64Array = NONE;
  private readonly model: LgbModel;

  constructor(model: LgbModel) {
    this.model = model;
    this.numFeatures = model.featureNames.length;
    const len = model.maxDepth + 1;
    const slots = (len * (len + 1)) / 2;
    this.pathFeature = new Int32Array(slots);
    this.pathZero = new Float64Array(slots);
    this.pathOne = new Float64Array(slots);
    this.pathWeight = new Float64Array(slots);
    this.recip = Float64Array.from({ length: len + 2 }, (_, k) => (k === 0 ? 0 : 1 / k));
    let bias = 0;
    for (const t of model.trees) bias += expectedValue(t);
    this.bias = bias;
    this.tree = model.trees[0] as LgbTree;
  }

  /**
   * Writes one SHAP value per feature into `phi` (overwriting it). `x` must already be in the
   * precision the splits should see (see explainer.ts: float32). sum(phi) + bias = raw score.
   */
  shap(x: Float64Array, phi: Float64Array): void {
    if (phi.length !== this.numFeatures || x.length !== this.numFeatures)
      throw new Error(`x and phi must have ${this.numFeatures} slots, got ${x.length} and ${phi.length}`);
    phi.fill(0);
    this.x = x;
    this.phi = phi;
    for (const t of this.model.trees) {
      if (t.numLeaves === 1) continue; // constant tree: all of it is in the bias
      this.tree = t;
      this.recurse(0, 0, 0, 1, 1, -1);
    }
    // Drop the caller's buffers so the instance does not keep them alive.
    this.x = NONE;
    this.phi = NONE;
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
    // Plain loops: paths are <= depth+1 long, where copyWithin's call overhead dominates.
    for (let i = 0; i < depth; i++) {
      pf[start + i] = pf[parentStart + i] as number;
      pz[start + i] = pz[parentStart + i] as number;
      po[start + i] = po[parentStart + i] as number;
      pw[start + i] = pw[parentStart + i] as number;
    }
    this.extend(start, depth, zeroFraction, oneFraction, featureIndex);

    if (node < 0) {
      // Algorithm 2's leaf step (UnwoundPathSum for every path element), inlined. Nearly all the
      // time goes here, so two rewrites of LightGBM's arithmetic (same values up to rounding):
      //  - an element with one_fraction 0 (x did not follow that feature's split here) has
      //    sum_i w_i / (zero · (depth - i)) = coldSum / zero, with coldSum shared by all such
      //    elements: O(depth) per leaf instead of O(depth²);
      //  - the one_fraction != 0 recurrence is a serial dependency chain, so constants are
      //    hoisted out of it (one multiply-subtract per step instead of four multiplies).
      const value = t.leafValue[~node] as number;
      const recip = this.recip;
      const phi = this.phi;
      const top = pw[start + depth] as number;
      let coldSum = 0;
      for (let i = depth - 1; i >= 0; i--)
        coldSum += (pw[start + i] as number) * (recip[depth - i] as number);
      for (let k = 1; k <= depth; k++) {
        const el = start + k;
        const one = po[el] as number;
        const zero = pz[el] as number;
        let total: number;
        if (one !== 0) {
          const invOne = 1 / one;
          let nextOne = top;
          total = 0;
          for (let i = depth - 1; i >= 0; i--) {
            const tmp = nextOne * ((recip[i + 1] as number) * invOne);
            total += tmp;
            nextOne = (pw[start + i] as number) - tmp * (zero * (depth - i));
          }
        } else {
          total = coldSum / zero;
        }
        const f = pf[el] as number;
        phi[f] = (phi[f] as number) + total * (depth + 1) * (one - zero) * value;
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
