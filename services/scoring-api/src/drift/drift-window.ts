/** A training distribution in fixed bins: edges.length + 1 bins, bin i holds edges[i-1] <= x < edges[i]. */
export interface Reference {
  readonly edges: readonly number[];
  readonly trainShare: readonly number[];
}

export interface FeatureReference {
  readonly name: string;
  /** The value served when the feature's stream or entity is absent. */
  readonly defaultValue: number;
  /** Training share of that value; null without a reference distribution. */
  readonly defaultShareTrain: number | null;
  readonly bins: Reference | null;
}

export interface DriftSnapshot {
  readonly checkouts: number;
  readonly scored: number;
  readonly features: readonly { name: string; defaultShare: number; psi: number | null }[];
  readonly scorePsi: number | null;
}

/** Shares below this count as this, so an empty bin gives a large but finite PSI term. */
const SHARE_FLOOR = 1e-4;

/** Bin of x: the number of edges <= x (numpy.searchsorted side="right"); NaN falls in bin 0. */
export function binOf(edges: readonly number[], x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((edges[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Population stability index of observed bin counts against expected shares. */
export function psi(counts: ArrayLike<number>, from: number, expected: readonly number[], n: number): number {
  let sum = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = Math.max((counts[from + i] as number) / n, SHARE_FLOOR);
    const e = Math.max(expected[i] as number, SHARE_FLOOR);
    sum += (a - e) * Math.log(a / e);
  }
  return sum;
}

/**
 * Per-feature default counts and bin counts, and score bin counts, over a sliding window kept as
 * a ring of time slices. Memory is fixed at construction (slices x total bins); one observation
 * is one binary search per feature. A slice is zeroed when the clock reaches it again.
 */
export class DriftWindow {
  private readonly features: readonly FeatureReference[];
  private readonly score: Reference | null;
  private readonly sliceMs: number;
  private readonly slices: number;
  private readonly offsets: number[] = [];
  private readonly width: number;
  private readonly scoreWidth: number;
  private readonly epochs: Float64Array;
  private readonly checkouts: Float64Array;
  private readonly scored: Float64Array;
  private readonly defaults: Float64Array;
  private readonly bins: Float64Array;
  private readonly scoreBins: Float64Array;

  constructor(opts: {
    features: readonly FeatureReference[];
    score: Reference | null;
    windowMs: number;
    slices: number;
  }) {
    this.features = opts.features;
    this.score = opts.score;
    this.slices = opts.slices;
    this.sliceMs = Math.max(1, Math.ceil(opts.windowMs / opts.slices));
    let width = 0;
    for (const f of opts.features) {
      this.offsets.push(width);
      width += f.bins ? f.bins.trainShare.length : 0;
    }
    this.width = width;
    this.scoreWidth = opts.score ? opts.score.trainShare.length : 0;
    this.epochs = new Float64Array(this.slices).fill(-1);
    this.checkouts = new Float64Array(this.slices);
    this.scored = new Float64Array(this.slices);
    this.defaults = new Float64Array(this.slices * opts.features.length);
    this.bins = new Float64Array(this.slices * width);
    this.scoreBins = new Float64Array(this.slices * this.scoreWidth);
  }

  /** `values` in the features' order; `score` null when no model scored (or not the referenced one). */
  observe(values: readonly number[], score: number | null, now: number): void {
    const s = this.slice(now);
    bump(this.checkouts, s);
    const nf = this.features.length;
    for (let f = 0; f < nf; f++) {
      const ref = this.features[f] as FeatureReference;
      const v = values[f] as number;
      if (v === ref.defaultValue) bump(this.defaults, s * nf + f);
      if (ref.bins) bump(this.bins, s * this.width + (this.offsets[f] as number) + binOf(ref.bins.edges, v));
    }
    if (score !== null && this.score) {
      bump(this.scored, s);
      bump(this.scoreBins, s * this.scoreWidth + binOf(this.score.edges, score));
    }
  }

  snapshot(now: number): DriftSnapshot {
    const current = Math.floor(now / this.sliceMs);
    const nf = this.features.length;
    const defaults = new Float64Array(nf);
    const bins = new Float64Array(this.width);
    const scoreBins = new Float64Array(this.scoreWidth);
    let checkouts = 0;
    let scored = 0;
    for (let s = 0; s < this.slices; s++) {
      const epoch = this.epochs[s] as number;
      if (epoch < 0 || epoch <= current - this.slices || epoch > current) continue;
      checkouts += this.checkouts[s] as number;
      scored += this.scored[s] as number;
      addSlice(defaults, this.defaults, s);
      addSlice(bins, this.bins, s);
      addSlice(scoreBins, this.scoreBins, s);
    }
    return {
      checkouts,
      scored,
      features: this.features.map((ref, f) => ({
        name: ref.name,
        defaultShare: checkouts > 0 ? (defaults[f] as number) / checkouts : 0,
        psi:
          ref.bins && checkouts > 0
            ? psi(bins, this.offsets[f] as number, ref.bins.trainShare, checkouts)
            : null,
      })),
      scorePsi: this.score && scored > 0 ? psi(scoreBins, 0, this.score.trainShare, scored) : null,
    };
  }

  private slice(now: number): number {
    const epoch = Math.floor(now / this.sliceMs);
    const s = epoch % this.slices;
    if (this.epochs[s] !== epoch) {
      this.epochs[s] = epoch;
      this.checkouts[s] = 0;
      this.scored[s] = 0;
      this.defaults.fill(0, s * this.features.length, (s + 1) * this.features.length);
      this.bins.fill(0, s * this.width, (s + 1) * this.width);
      this.scoreBins.fill(0, s * this.scoreWidth, (s + 1) * this.scoreWidth);
    }
    return s;
  }
}

function bump(a: Float64Array, i: number): void {
  a[i] = (a[i] as number) + 1;
}

/** Adds slice `s` of a ring laid out as consecutive slices of total.length counts. */
function addSlice(total: Float64Array, ring: Float64Array, s: number): void {
  const w = total.length;
  for (let i = 0; i < w; i++) total[i] = (total[i] as number) + (ring[s * w + i] as number);
}
