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

/** One HyperLogLog: sparse (a map) while few registers are set, then dense, like Redis's. */
export class HyperLogLog {
  private sparse: Map<number, number> | null = new Map();
  private dense: Uint8Array | null = null;

  add(element: string): void {
    const { index, rank } = hllPattern(element);
    if (this.dense) {
      if (rank > (this.dense[index] as number)) this.dense[index] = rank;
      return;
    }
    const sparse = this.sparse as Map<number, number>;
    if (rank > (sparse.get(index) ?? 0)) sparse.set(index, rank);
    if (sparse.size > SPARSE_MAX) {
      this.dense = new Uint8Array(HLL_REGISTERS);
      for (const [i, r] of sparse) this.dense[i] = r;
      this.sparse = null;
    }
  }

  /** Folds this HyperLogLog's registers into `into` (max per register), as PFCOUNT of many keys. */
  mergeInto(into: Uint8Array): void {
    if (this.dense) {
      for (let i = 0; i < HLL_REGISTERS; i++) {
        const r = this.dense[i] as number;
        if (r > (into[i] as number)) into[i] = r;
      }
      return;
    }
    for (const [i, r] of this.sparse as Map<number, number>) if (r > (into[i] as number)) into[i] = r;
  }
}

/** PFCOUNT of the union of the given HyperLogLogs. */
export function countUnion(hlls: readonly HyperLogLog[]): number {
  const registers = new Uint8Array(HLL_REGISTERS);
  for (const h of hlls) h.mergeInto(registers);
  return estimate(registers);
}

/** Redis's hllCount: Ertl, "New cardinality estimation algorithms for HyperLogLog sketches". */
export function estimate(registers: Uint8Array): number {
  const m = HLL_REGISTERS;
  const histogram = new Uint32Array(64);
  for (let i = 0; i < m; i++) {
    const r = registers[i] as number;
    histogram[r] = (histogram[r] as number) + 1;
  }
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
