/**
 * Redis's HyperLogLog (src/hyperloglog.c, Redis 7): MurmurHash64A with seed 0xadc83b19, 2^14
 * registers of the run length of zeros plus one, and Ertl's estimator. The memory store and the
 * backfill count with it, Redis with PFADD/PFCOUNT, and a test proves the two give the same number.
 */
const P = 14;
export const HLL_REGISTERS = 1 << P;
const Q = 64 - P;
// Redis writes 0.721347520444481703680: the same double.
const ALPHA_INF = 0.7213475204444817;
const M64 = 0xffff_ffff_ffff_ffffn;
const MUL = 0xc6a4a7935bd1e995n;
const SEED = 0xadc83b19n;
/** Below this many set registers a map is smaller than the dense array. */
const SPARSE_MAX = 1024;

const encoder = new TextEncoder();

function murmurHash64A(data: Uint8Array): bigint {
  const len = data.length;
  let h = (SEED ^ ((BigInt(len) * MUL) & M64)) & M64;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const blocks = len - (len & 7);
  for (let i = 0; i < blocks; i += 8) {
    let k = view.getBigUint64(i, true);
    k = (k * MUL) & M64;
    k ^= k >> 47n;
    k = (k * MUL) & M64;
    h ^= k;
    h = (h * MUL) & M64;
  }
  const rest = len & 7;
  if (rest > 0) {
    for (let i = rest - 1; i >= 0; i--) h ^= BigInt(data[blocks + i] as number) << BigInt(8 * i);
    h = (h * MUL) & M64;
  }
  h ^= h >> 47n;
  h = (h * MUL) & M64;
  h ^= h >> 47n;
  return h;
}

/** The register an element sets and the value it offers: Redis's hllPatLen. */
export function hllPattern(element: string): { index: number; rank: number } {
  const hash = murmurHash64A(encoder.encode(element));
  const index = Number(hash & BigInt(HLL_REGISTERS - 1));
  let rest = Number(hash >> BigInt(P));
  let rank = 1;
  while (rank <= Q && rest % 2 === 0) {
    rest = Math.floor(rest / 2);
    rank++;
  }
  return { index, rank };
}

/**
 * One HyperLogLog: sparse (a map) while few registers are set, then dense, like Redis's. It keeps
 * the histogram of its register values as they change, so an estimate costs 64 steps, not 2^14.
 */
export class HyperLogLog {
  private sparse: Map<number, number> | null = new Map();
  private dense: Uint8Array | null = null;
  private readonly histogram = new Uint32Array(64);

  constructor() {
    this.histogram[0] = HLL_REGISTERS;
  }

  /** A copy of the union (max per register) of the given HyperLogLogs. */
  static union(hlls: readonly HyperLogLog[]): HyperLogLog {
    const out = new HyperLogLog();
    for (const h of hlls) h.forEachRegister((index, rank) => out.offer(index, rank));
    return out;
  }

  /** Adds an element; returns its register and rank, to offer to another HyperLogLog as well. */
  add(element: string): { index: number; rank: number } {
    const pattern = hllPattern(element);
    this.offer(pattern.index, pattern.rank);
    return pattern;
  }

  /** Raises one register to `rank` if lower (PFADD's step after hashing). */
  offer(index: number, rank: number): void {
    const cur = this.dense
      ? (this.dense[index] as number)
      : ((this.sparse as Map<number, number>).get(index) ?? 0);
    if (rank <= cur) return;
    this.histogram[cur] = (this.histogram[cur] as number) - 1;
    this.histogram[rank] = (this.histogram[rank] as number) + 1;
    if (this.dense) {
      this.dense[index] = rank;
      return;
    }
    const sparse = this.sparse as Map<number, number>;
    sparse.set(index, rank);
    if (sparse.size > SPARSE_MAX) {
      this.dense = new Uint8Array(HLL_REGISTERS);
      for (const [i, r] of sparse) this.dense[i] = r;
      this.sparse = null;
    }
  }

  forEachRegister(fn: (index: number, rank: number) => void): void {
    if (this.dense) {
      for (let i = 0; i < HLL_REGISTERS; i++) if (this.dense[i]) fn(i, this.dense[i] as number);
    } else {
      for (const [i, r] of this.sparse as Map<number, number>) fn(i, r);
    }
  }

  /** PFCOUNT. */
  count(): number {
    return estimateFromHistogram(this.histogram);
  }
}

/** PFCOUNT of the union of the given HyperLogLogs. */
export function countUnion(hlls: readonly HyperLogLog[]): number {
  return hlls.length === 1 ? (hlls[0] as HyperLogLog).count() : HyperLogLog.union(hlls).count();
}

/**
 * Redis's hllCount from the histogram of register values: Ertl, "New cardinality estimation
 * algorithms for HyperLogLog sketches".
 */
function estimateFromHistogram(histogram: Uint32Array): number {
  const m = HLL_REGISTERS;
  let z = m * tau((m - (histogram[Q + 1] as number)) / m);
  for (let j = Q; j >= 1; --j) {
    z += histogram[j] as number;
    z *= 0.5;
  }
  z += m * sigma((histogram[0] as number) / m);
  return Math.round((ALPHA_INF * m * m) / z);
}

function sigma(x: number): number {
  if (x === 1) return Number.POSITIVE_INFINITY;
  let y = 1;
  let z = x;
  let zPrime: number;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  let zPrime: number;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    z -= (1 - x) ** 2 * y;
  } while (zPrime !== z);
  return z / 3;
}
