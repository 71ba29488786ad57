import type { LgbTree } from "./lightgbm-text.ts";

/** Bytes per internal node: 6 Int32/Float64 fields, ratio + coef, and per-row mask, state, poly. */
export function nodeBytes(points: number): number {
  return 5 * 4 + 8 + 2 * 6 * points * 8 + 4 + 2 * 4 + points * 8;
}

/** Bytes per leaf: per-row mask and poly. */
export function leafBytes(points: number): number {
  return 4 + points * 8;
}

/** Most distinct features on one root-to-leaf path of `t`. */
export function distinctPathFeatures(t: LgbTree): number {
  let most = 0;
  const path: number[] = [];
  const walk = (node: number): void => {
    if (node < 0) {
      most = Math.max(most, path.length);
      return;
    }
    const f = t.splitFeature[node] as number;
    const isNew = !path.includes(f);
    if (isNew) path.push(f);
    walk(t.leftChild[node] as number);
    walk(t.rightChild[node] as number);
    if (isNew) path.pop();
  };
  walk(0);
  return most;
}

/** Flattens the trees (preorder) and precomputes the per-edge ratios and coefficients. */
export class FlatTrees {
  readonly numInternal: number;
  readonly nodeInput: Int32Array;
  readonly nodeThreshold: Float64Array;
  readonly nodeFeature: Int32Array;
  readonly nodeSlot: Int32Array;
  readonly nodeLeft: Int32Array;
  readonly nodeRight: Int32Array;
  readonly ratio: Float64Array;
  readonly coef: Float64Array;
  readonly numLeaves: number;
  readonly roots: Int32Array;
  private nextNode = 0;
  private nextLeaf = 0;
  /** Distinct features on the current path (in slot order) and their zero fractions so far. */
  private readonly pathFeature: number[] = [];
  private readonly pathZero: number[] = [];
  private readonly rule: { t: Float64Array; w: Float64Array };

  constructor(trees: readonly LgbTree[], rule: { t: Float64Array; w: Float64Array }) {
    this.rule = rule;
    const n = trees.reduce((s, t) => s + t.numLeaves - 1, 0);
    const m = rule.t.length;
    this.numInternal = n;
    this.nodeInput = new Int32Array(n);
    this.nodeThreshold = new Float64Array(n);
    this.nodeFeature = new Int32Array(n);
    this.nodeSlot = new Int32Array(n);
    this.nodeLeft = new Int32Array(n);
    this.nodeRight = new Int32Array(n);
    this.ratio = new Float64Array(6 * n * m);
    this.coef = new Float64Array(6 * n * m);
    this.numLeaves = trees.reduce((s, t) => s + t.numLeaves, 0);
    this.roots = new Int32Array(trees.length);
    trees.forEach((t, i) => {
      this.roots[i] = this.add(t, 0);
    });
  }

  /** Adds the subtree at `node` of `t`; returns its position. */
  private add(t: LgbTree, node: number): number {
    if (node < 0) {
      return this.numInternal + this.nextLeaf++;
    }
    const pos = this.nextNode++;
    const f = t.splitFeature[node] as number;
    let slot = this.pathFeature.indexOf(f);
    const isNew = slot < 0;
    if (isNew) {
      slot = this.pathFeature.length;
      this.pathFeature.push(f);
      this.pathZero.push(1);
    }
    this.nodeInput[pos] = f * 6 + (((t.decisionType[node] as number) >> 1) & 7);
    this.nodeThreshold[pos] = t.threshold[node] as number;
    this.nodeFeature[pos] = f;
    this.nodeSlot[pos] = slot;
    const before = this.pathZero[slot] as number;
    const cover = t.internalCount[node] as number;
    const children = [t.leftChild[node] as number, t.rightChild[node] as number];
    const at = [0, 0];
    children.forEach((child, side) => {
      const share = count(t, child) / cover;
      const after = before * share;
      // G of a leaf is only ever used times its value: fold the value into the ratio.
      const scale = child < 0 ? (t.leafValue[~child] as number) : 1;
      this.edge(2 * pos + side, before, after, share, scale);
      this.pathZero[slot] = after;
      at[side] = this.add(t, child);
    });
    this.nodeLeft[pos] = at[0] as number;
    this.nodeRight[pos] = at[1] as number;
    this.pathZero[slot] = before;
    if (isNew) {
      this.pathFeature.pop();
      this.pathZero.pop();
    }
    return pos;
  }

  /**
   * An edge's ratio f_after / f_before and coefficient ω · [(o - z) / f after - same before] for
   * its 3 states: 0 hot before and after (o 1 -> 1), 1 hot before, cold after (1 -> 0), 2 cold
   * before (0 -> 0). With f(o, z)(t) = o·t + z·(1 - t); cold quotients are simplified by hand
   * ((0 - z) / (z (1 - t)) = -1 / (1 - t), z·share / z = share) so a zero cover divides nothing.
   * A feature new on the path has before = 1 (f = 1, o - z = 0): a null player.
   */
  private edge(e: number, before: number, after: number, share: number, scale: number): void {
    const { t, w } = this.rule;
    const m = t.length;
    for (let k = 0; k < m; k++) {
      const tk = t[k] as number;
      const wk = w[k] as number;
      const hotBefore = tk + before * (1 - tk);
      const hotAfter = tk + after * (1 - tk);
      const oldTerm = (1 - before) / hotBefore;
      const coldTerm = -1 / (1 - tk);
      const base = 3 * e * m + k;
      this.ratio[base] = (hotAfter / hotBefore) * scale;
      this.coef[base] = wk * ((1 - after) / hotAfter - oldTerm);
      this.ratio[base + m] = ((after * (1 - tk)) / hotBefore) * scale;
      this.coef[base + m] = wk * (coldTerm - oldTerm);
      this.ratio[base + 2 * m] = share * scale;
      this.coef[base + 2 * m] = 0;
    }
  }
}

function count(t: LgbTree, node: number): number {
  return node >= 0 ? (t.internalCount[node] as number) : (t.leafCount[~node] as number);
}
