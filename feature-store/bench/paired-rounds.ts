// Levels compared at the same moment: every round measures every level once, so what drifts over
// minutes (VM steal, GC, the shared Redis) moves a whole round, and each level's cost is read as a
// ratio to its own round's median over levels. Pure functions, no clock.

/** mulberry32: a small seeded generator, so a run's orders can be replayed from its seed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * The order in which each round measures the levels (indices 0 … count - 1). Every `count` rounds
 * a fresh seeded shuffle, rotated by one per round: over any `count` consecutive rounds of a
 * cycle every level takes every position once (the first of a round is not always the same one),
 * and which level follows which changes from cycle to cycle, so the garbage one slice leaves for
 * the next to collect does not always fall on the same level.
 */
export function roundOrders(count: number, rounds: number, seed: number): number[][] {
  const random = seeded(seed);
  const orders: number[][] = [];
  let base: number[] = [];
  for (let r = 0; r < rounds; r++) {
    if (r % count === 0) {
      base = Array.from({ length: count }, (_, i) => i);
      for (let i = count - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [base[i], base[j]] = [base[j] as number, base[i] as number];
      }
    }
    const shift = r % count;
    orders.push([...base.slice(shift), ...base.slice(0, shift)]);
  }
  return orders;
}

export function median(v: readonly number[]): number {
  if (v.length === 0) throw new RangeError("median of nothing");
  const s = [...v].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export interface LevelSpread {
  /** Per level: the median over rounds of its cost. */
  readonly medians: readonly number[];
  /** Per level: the median over rounds of its cost / that round's median over levels. */
  readonly medianRatios: readonly number[];
  /** max / min of medianRatios: the flatness measured against the same moment's other levels. */
  readonly pairedFlatness: number;
  /** max / min of medians: includes whatever drifted between rounds. */
  readonly plainFlatness: number;
}

/** `costs[round][level]`, every round with a cost for every level. */
export function levelSpread(costs: readonly (readonly number[])[]): LevelSpread {
  const levels = costs[0]?.length ?? 0;
  if (levels === 0 || costs.some((round) => round.length !== levels)) {
    throw new RangeError("every round needs a cost for every level");
  }
  const ratios = costs.map((round) => {
    const mid = median(round);
    return round.map((c) => c / mid);
  });
  const column = (m: readonly (readonly number[])[], l: number) => m.map((round) => round[l] as number);
  const medians = Array.from({ length: levels }, (_, l) => median(column(costs, l)));
  const medianRatios = Array.from({ length: levels }, (_, l) => median(column(ratios, l)));
  const spread = (v: readonly number[]) => Math.max(...v) / Math.min(...v);
  return { medians, medianRatios, pairedFlatness: spread(medianRatios), plainFlatness: spread(medians) };
}
