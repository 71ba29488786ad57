import { distinctPathFeatures, FlatTrees, leafBytes, nodeBytes } from "./flat-trees.ts";
import { gaussLegendre } from "./gauss-legendre.ts";
import type { LgbModel, LgbTree } from "./lightgbm-text.ts";
import { splitValue } from "./split-value.ts";
import { expectedValue, TreeShap } from "./tree-shap.ts";

/** Bounds on what is precomputed at load; trees beyond them use the reference algorithm. */
export interface FastTreeShapLimits {
  /**
   * Most distinct features on one root-to-leaf path (d) for which a tree is precomputed. The
   * quadrature takes ceil(max d / 2) points (rounded up to a multiple of 4), and every internal
   * node stores 2 edges · 3 states · 2 numbers per point: 384 bytes at 4 points, 768 at 8.
   */
  readonly maxPathFeatures: number;
  /** Total bytes of precomputed arrays; trees that would go over it use `TreeShap`. */
  readonly maxBytes: number;
}

export const DEFAULT_FAST_TREE_SHAP_LIMITS: FastTreeShapLimits = {
  maxPathFeatures: 16,
  maxBytes: 64 * 1024 * 1024,
};

/** Hot sets are int32 bitmasks over a path's slots. */
const MAX_SLOTS = 31;

/**
 * Exact path-dependent TreeSHAP in O(trees · nodes · depth) per row (Algorithm 2, `TreeShap`, is
 * O(trees · leaves · depth²)), with everything that does not depend on the row precomputed at
 * load. Same values as `TreeShap` up to float rounding.
 *
 * For one leaf with value v, let U be the d distinct features on its path (a feature split on
 * several times counts once, as Algorithm 2's unwinding does), z_j the product of the cover ratios
 * (child count / parent count) of the splits on j along the path, and o_j = 1 if x takes the path's
 * direction at every split on j, else 0. The leaf's game g(S) = v · Π_{j∈S} o_j · Π_{j∈U\S} z_j is
 * multilinear, so its Shapley values are (Owen's diagonal formula)
 *   phi_i = (o_i - z_i) · v · ∫_0^1 Π_{j∈U, j≠i} f_j(t) dt,   f_j(t) = o_j · t + z_j · (1 - t),
 * a polynomial of degree d - 1, which Gauss–Legendre quadrature with ceil(D / 2) points integrates
 * exactly (D: the most distinct features on a path; m, the number of points used, is that rounded
 * up to a multiple of 4, which is just as exact and lets the loops be unrolled). This is the form
 * Linear TreeSHAP (Bifet et al. 2022) evaluates. (Fast TreeSHAP v2, Yang 2021, tabulates per leaf
 * the sums for each of the 2^d hot/cold patterns instead: for the committed model that is 3-13 MB
 * of tables read at random, one cache miss per leaf, and measured slower than this; see README.)
 *
 * Per row, at the m points t_k:
 *  1. parents first: G(node) = Π over the path's distinct features of f_j (current o_j, z_j). At a
 *     split on feature i, a child's G is the parent's times f_i after / f_i before (before = 1 if
 *     i is new on the path). Which of 3 "states" an edge is in (i hot above and x goes this way;
 *     hot above, x goes the other way; already cold above) is all the row decides, so the ratio
 *     per edge, state and point is precomputed, with the quotients simplified by hand where f
 *     could be 0. An edge into a leaf has the leaf value folded into its ratio: G(leaf) = v · Π f.
 *  2. children first: S(node) = Σ of G over its leaves, and at each split on i, for each child c,
 *     phi_i += Σ_k ω_k · S(c)(t_k) · [(o_i - z_i) / f_i after the split - the same before it].
 *     For a leaf below c whose path splits on i again further down, the deeper split subtracts
 *     exactly what this one added (same points, same terms), so each leaf ends up counted once,
 *     with its final o_i, z_i (the telescoping of Linear TreeSHAP): a feature split twice on a
 *     path is merged exactly as Algorithm 2's unwinding merges it. The coefficient per edge,
 *     state and point, ω_k included, is precomputed too.
 * Hot/cold bookkeeping is a bitmask per node over the path's feature slots (a repeated feature
 * reuses its first slot, so o_i is the AND over its splits and z_i the product). No branch depends
 * on the data (mispredicted branches cost more than the arithmetic here); nothing is allocated.
 */
export class FastTreeShap {
  /** Expected value of the model's raw output over the training data: the SHAP base value. */
  readonly bias: number;
  readonly numFeatures: number;
  /** Quadrature points (m). */
  readonly points: number;
  /** Bytes of the arrays precomputed at construction, per-row scratch included. */
  readonly precomputedBytes: number;
  /** Trees left to the reference algorithm because of the limits (none for the committed model). */
  readonly fallbackTrees: number;

  // Internal nodes of the precomputed trees, each tree in preorder: struct-of-arrays.
  /** Index into `inputs`: feature · 6 + (decision type >> 1 & 7), see `splitValue`. */
  private readonly nodeInput: Int32Array;
  private readonly nodeThreshold: Float64Array;
  private readonly nodeFeature: Int32Array;
  /** Slot (bit) of the node's feature among the distinct features of its path. */
  private readonly nodeSlot: Int32Array;
  /** Positions of the children (internal nodes 0..n-1, then leaves). */
  private readonly nodeLeft: Int32Array;
  private readonly nodeRight: Int32Array;
  private readonly numInternal: number;
  /** Per edge (2 per node: left, right), state (3) and point (m): f after / f before. */
  private readonly ratio: Float64Array;
  /** Same layout: ω_k · [(o - z) / f after the split - (o - z) / f before it]. */
  private readonly coef: Float64Array;
  /** Positions of the trees' roots. */
  private readonly roots: Int32Array;

  // Per-row scratch.
  /** Each feature's value in the 6 forms `splitValue` gives, so a split is one `<=`. */
  private readonly inputs: Float64Array;
  /** Hot set of every node and leaf. Roots stay -1 (all hot) forever. */
  private readonly mask: Int32Array;
  /** State of each node's left and right edge. */
  private readonly state: Int32Array;
  /** m values per node and leaf: G going down, S going up. Roots' G stays 1 forever. */
  private readonly poly: Float64Array;
  /** 4 interleaved partial sums of phi (breaks the add-after-add dependency chains). */
  private readonly accumulators: Float64Array;

  private readonly reference: TreeShap | undefined;

  constructor(model: LgbModel, limits: FastTreeShapLimits = DEFAULT_FAST_TREE_SHAP_LIMITS) {
    const M = model.featureNames.length;
    this.numFeatures = M;
    let bias = 0;
    for (const t of model.trees) bias += expectedValue(t);
    this.bias = bias;

    // Admit trees (in order) while they fit the limits; the rest go to the reference algorithm.
    const maxPathFeatures = Math.min(limits.maxPathFeatures, MAX_SLOTS);
    const candidates = model.trees.filter((t) => t.numLeaves > 1); // stumps: all in the bias
    const sizes = candidates.map(distinctPathFeatures);
    // ceil(D / 2) points are exact; more are too. A multiple of 4 lets the loops over them be unrolled.
    const points = 4 * Math.max(1, Math.ceil(Math.max(0, ...sizes.filter((d) => d <= maxPathFeatures)) / 8));
    const fast: LgbTree[] = [];
    const slow: LgbTree[] = [];
    let bytes = M * (6 + 4) * 8; // inputs, accumulators
    candidates.forEach((t, i) => {
      // + 4: the tree's entry in `roots`.
      const treeBytes = (t.numLeaves - 1) * nodeBytes(points) + t.numLeaves * leafBytes(points) + 4;
      if ((sizes[i] as number) > maxPathFeatures || bytes + treeBytes > limits.maxBytes) {
        slow.push(t);
        return;
      }
      fast.push(t);
      bytes += treeBytes;
    });
    this.fallbackTrees = slow.length;
    this.reference =
      slow.length > 0
        ? new TreeShap({ ...model, trees: slow, maxDepth: slow.reduce((m, t) => Math.max(m, t.depth), 0) })
        : undefined;

    this.points = points;
    const b = new FlatTrees(fast, gaussLegendre(points));
    this.numInternal = b.numInternal;
    this.nodeInput = b.nodeInput;
    this.nodeThreshold = b.nodeThreshold;
    this.nodeFeature = b.nodeFeature;
    this.nodeSlot = b.nodeSlot;
    this.nodeLeft = b.nodeLeft;
    this.nodeRight = b.nodeRight;
    this.ratio = b.ratio;
    this.coef = b.coef;
    this.roots = b.roots;
    const positions = b.numInternal + b.numLeaves;
    this.inputs = new Float64Array(M * 6);
    this.mask = new Int32Array(positions).fill(-1);
    this.state = new Int32Array(2 * b.numInternal);
    this.poly = new Float64Array(positions * points).fill(1);
    this.accumulators = new Float64Array(4 * M);
    this.precomputedBytes = [
      this.nodeInput,
      this.nodeThreshold,
      this.nodeFeature,
      this.nodeSlot,
      this.nodeLeft,
      this.nodeRight,
      this.ratio,
      this.coef,
      this.roots,
      this.inputs,
      this.mask,
      this.state,
      this.poly,
      this.accumulators,
    ].reduce((s, a) => s + a.byteLength, 0);
  }

  /**
   * Writes one SHAP value per feature into `phi` (overwriting it). `x` must already be in the
   * precision the splits should see (see explainer.ts: float32). sum(phi) + bias = raw score.
   */
  shap(x: Float64Array, phi: Float64Array): void {
    const M = this.numFeatures;
    if (phi.length !== M || x.length !== M)
      throw new Error(`x and phi must have ${M} slots, got ${x.length} and ${phi.length}`);
    if (this.reference) this.reference.shap(x, phi);
    else phi.fill(0);

    const xs = this.inputs;
    for (let f = 0, k = 0; f < M; f++, k += 6) {
      const v = x[f] as number;
      for (let variant = 0; variant < 6; variant++) xs[k + variant] = splitValue(variant << 1, v);
    }
    const m = this.points;
    const n = this.numInternal;
    const mask = this.mask;
    const state = this.state;
    const poly = this.poly;
    const ratio = this.ratio;
    const coef = this.coef;
    const input = this.nodeInput;
    const threshold = this.nodeThreshold;
    const slot = this.nodeSlot;
    const left = this.nodeLeft;
    const right = this.nodeRight;

    // 1. Parents first: hot sets, edge states, G.
    for (let i = 0; i < n; i++) {
      const h = mask[i] as number;
      const s = slot[i] as number;
      const c = ~(1 << s);
      // Number(boolean) compiles without a branch (a ternary or if here is ~3x slower).
      const g = Number((xs[input[i] as number] as number) <= (threshold[i] as number));
      const hot = (h >> s) & 1; // feature hot above this split
      const sl = 2 - hot * (1 + g); // 0 hot and x goes left, 1 x goes right, 2 already cold
      const sr = 2 - hot * (2 - g);
      state[2 * i] = sl;
      state[2 * i + 1] = sr;
      const li = left[i] as number;
      const ri = right[i] as number;
      mask[li] = h & (c | -g);
      mask[ri] = h & (c | (g - 1));
      const from = i * m;
      const lTo = li * m;
      const rTo = ri * m;
      const lRatio = (6 * i + sl) * m;
      const rRatio = (6 * i + 3 + sr) * m;
      // m is a multiple of 4: unrolled by hand (V8 does not unroll; the loop overhead is most of the cost).
      for (let k = 0; k < m; k += 4) {
        const g0 = poly[from + k] as number;
        const g1 = poly[from + k + 1] as number;
        const g2 = poly[from + k + 2] as number;
        const g3 = poly[from + k + 3] as number;
        poly[lTo + k] = g0 * (ratio[lRatio + k] as number);
        poly[lTo + k + 1] = g1 * (ratio[lRatio + k + 1] as number);
        poly[lTo + k + 2] = g2 * (ratio[lRatio + k + 2] as number);
        poly[lTo + k + 3] = g3 * (ratio[lRatio + k + 3] as number);
        poly[rTo + k] = g0 * (ratio[rRatio + k] as number);
        poly[rTo + k + 1] = g1 * (ratio[rRatio + k + 1] as number);
        poly[rTo + k + 2] = g2 * (ratio[rRatio + k + 2] as number);
        poly[rTo + k + 3] = g3 * (ratio[rRatio + k + 3] as number);
      }
    }

    // 2. Children first: S and the contributions of each split.
    const acc = this.accumulators;
    acc.fill(0);
    const feature = this.nodeFeature;
    for (let i = n - 1; i >= 0; i--) {
      const lFrom = (left[i] as number) * m;
      const rFrom = (right[i] as number) * m;
      const lCoef = (6 * i + (state[2 * i] as number)) * m;
      const rCoef = (6 * i + 3 + (state[2 * i + 1] as number)) * m;
      const to = i * m;
      let total = 0;
      for (let k = 0; k < m; k += 4) {
        const l0 = poly[lFrom + k] as number;
        const l1 = poly[lFrom + k + 1] as number;
        const l2 = poly[lFrom + k + 2] as number;
        const l3 = poly[lFrom + k + 3] as number;
        const r0 = poly[rFrom + k] as number;
        const r1 = poly[rFrom + k + 1] as number;
        const r2 = poly[rFrom + k + 2] as number;
        const r3 = poly[rFrom + k + 3] as number;
        total +=
          l0 * (coef[lCoef + k] as number) +
          l1 * (coef[lCoef + k + 1] as number) +
          (l2 * (coef[lCoef + k + 2] as number) + l3 * (coef[lCoef + k + 3] as number)) +
          (r0 * (coef[rCoef + k] as number) +
            r1 * (coef[rCoef + k + 1] as number) +
            (r2 * (coef[rCoef + k + 2] as number) + r3 * (coef[rCoef + k + 3] as number)));
        poly[to + k] = l0 + r0;
        poly[to + k + 1] = l1 + r1;
        poly[to + k + 2] = l2 + r2;
        poly[to + k + 3] = l3 + r3;
      }
      const a = (i & 3) * M + (feature[i] as number);
      acc[a] = (acc[a] as number) + total;
    }
    // Restore the roots' G = 1 for the next row (step 2 overwrote every internal node).
    const roots = this.roots;
    for (let r = 0; r < roots.length; r++) {
      const at = (roots[r] as number) * m;
      for (let k = 0; k < m; k++) poly[at + k] = 1;
    }

    for (let f = 0; f < M; f++)
      phi[f] =
        (phi[f] as number) +
        ((acc[f] as number) +
          (acc[M + f] as number) +
          ((acc[2 * M + f] as number) + (acc[3 * M + f] as number)));
  }
}
