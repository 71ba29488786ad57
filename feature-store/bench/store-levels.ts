// The core of bench:store: per store, one set of hot entities per level brought to its history,
// then rounds that each measure every level once, in a seeded order, so levels are compared at
// the same moment. CPU per checkout of the feature read + compute, then of the checkout's write.
import type { FeatureSet } from "../src/definitions/feature-set.ts";
import type { Checkout } from "../src/events/index.ts";
import type { OnlineStore } from "../src/online/contract.ts";
import { readCheckoutFeatures } from "../src/online/read-features.ts";
import { update } from "../src/update/update.ts";
import { cpuMicros, ratio, stopwatch, us } from "./bench-clock.ts";
import {
  checkoutOf,
  EVENTS_IN_A_DAY,
  eventOf,
  levelRun,
  listingCheckouts,
  type Run,
  setUpRuns,
  WARM_RUN,
} from "./level-workload.ts";
import { type LevelSpread, levelSpread, roundOrders } from "./paired-rounds.ts";

export interface StoreLevelsOptions {
  /** Events on the hot entities before the reads, one set of entities per level. */
  readonly levels: readonly number[];
  readonly rounds: number;
  /** Checkouts per level per round (each read, and later written). */
  readonly reads: number;
  /** Seeds the order of the levels in each round. */
  readonly seed: number;
}

export interface BenchedStore {
  readonly name: string;
  readonly store: OnlineStore;
  /** Bytes of each hot entity of a run (`<entity>_bytes`), for a store that can tell: Redis. */
  readonly bytes?: (run: Run) => Promise<Record<string, number>>;
  /** After each set-up batch: drops what its checkouts wrote for their own user and device. */
  readonly forget?: (checkouts: readonly Checkout[]) => Promise<void>;
}

export type LevelRow = Record<string, number | string>;

export interface StoreLevelsResult {
  /** One per store and level: events, events_after, store, CPU µs per checkout, ratios, bytes. */
  readonly rows: LevelRow[];
  /** Per store, reads and writes: the levels' medians and flatness. */
  readonly spreads: { readonly store: string; readonly read: LevelSpread; readonly write: LevelSpread }[];
  /** The largest hot entity of any level after the writes (stores that tell bytes only). */
  readonly maxBytesAfter: number;
  /** The order of the levels (indices into `levels`) in each round. */
  readonly orders: readonly (readonly number[])[];
}

function checkOptions(o: StoreLevelsOptions): void {
  const positive = (n: number) => Number.isInteger(n) && n >= 1;
  if (!positive(o.rounds)) throw new RangeError("--rounds must be a positive integer");
  if (!positive(o.reads)) throw new RangeError("--reads must be a positive integer");
  if (!Number.isInteger(o.seed)) throw new RangeError("--seed must be an integer");
  // A level may repeat (1000,1000,1000,1000): hot entities of their own each, so the flatness of
  // equal histories shows what noise alone gives.
  if (o.levels.length < 2 || !o.levels.every(positive)) {
    throw new RangeError("--levels must be two or more positive integers");
  }
  const longest = Math.max(...o.levels) + o.rounds * o.reads;
  if (longest >= EVENTS_IN_A_DAY) {
    throw new RangeError(
      `the longest level with its ${o.rounds * o.reads} probe writes must stay under ${EVENTS_IN_A_DAY} events ` +
        "(one day of event time: the bench checks each level's history by its listing's 24-hour count)",
    );
  }
}

/** CPU µs per item of `work` over `items`, built before the clock starts. */
async function slice<T>(items: readonly T[], work: (item: T) => Promise<unknown>): Promise<number> {
  const c0 = cpuMicros();
  for (const item of items) await work(item);
  return (cpuMicros() - c0) / items.length;
}

/**
 * costs[round][level] in CPU µs per checkout: every round's reads first, so each read sees its
 * level's own history, then the rounds' writes of the same checkouts, which add `rounds × reads`
 * events to each level. Round r of level l is checkouts `histories[l] + r × reads` onwards.
 */
async function measureRounds(
  store: OnlineStore,
  features: FeatureSet,
  runs: readonly Run[],
  histories: readonly number[],
  orders: readonly (readonly number[])[],
  reads: number,
): Promise<{ read: number[][]; write: number[][] }> {
  // The checkouts are built before a slice's clock starts: only the feature read + compute, or
  // the update + write, is timed.
  const phase = async <T>(build: (run: Run, i: number) => T, work: (item: T) => Promise<unknown>) => {
    const costs: number[][] = [];
    for (const [r, order] of orders.entries()) {
      const round: number[] = new Array(order.length);
      for (const l of order) {
        const run = runs[l] as Run;
        const first = (histories[l] as number) + r * reads;
        round[l] = await slice(
          Array.from({ length: reads }, (_, k) => build(run, first + k)),
          work,
        );
      }
      costs.push(round);
    }
    return costs;
  };
  const read = await phase(checkoutOf, (c) => readCheckoutFeatures(store, features, c));
  const write = await phase(eventOf, (e) => store.apply(update(e)));
  return { read, write };
}

async function checkHistories(
  benched: BenchedStore,
  features: FeatureSet,
  runs: readonly Run[],
  histories: readonly number[],
): Promise<void> {
  for (const [l, run] of runs.entries()) {
    const held = await listingCheckouts(benched.store, features, run, histories[l] as number);
    if (held !== histories[l]) {
      throw new Error(
        `${benched.name}: the hot listing of level #${l + 1} holds ${held} checkouts, not ${histories[l]}: ` +
          "its measurement would not be of that history",
      );
    }
  }
}

const range = (v: readonly number[]) => `${us(Math.min(...v))}-${us(Math.max(...v))}`;
const column = (m: readonly (readonly number[])[], l: number) => m.map((round) => round[l] as number);

interface StoreRun {
  readonly rows: LevelRow[];
  readonly read: LevelSpread;
  readonly write: LevelSpread;
  readonly maxBytesAfter: number;
}

async function runStore(
  benched: BenchedStore,
  features: FeatureSet,
  options: StoreLevelsOptions,
  orders: readonly (readonly number[])[],
  log: (line: string) => void,
): Promise<StoreRun> {
  const { levels, rounds, reads } = options;
  const runs = levels.map((_, l) => levelRun(l));
  const after = levels.map((level) => level + rounds * reads);
  // Warm-up on entities of its own, not measured: without it the first slices measured the JIT
  // compiling the read and write paths (2x the CPU of later ones), not the cost of their level.
  // Before the set-up: the embedded store would forget a level not written while the warm-up's
  // users and devices were created.
  await setUpRuns(benched.store, [WARM_RUN], [1_000], { afterBatch: benched.forget });
  const warmOrders = orders.map(() => [0]);
  await measureRounds(benched.store, features, [WARM_RUN], [1_000], warmOrders, reads);
  const setUp = stopwatch();
  await setUpRuns(benched.store, runs, levels, { afterBatch: benched.forget });
  log(`${benched.name}: ${levels.reduce((a, b) => a + b, 0)} events set up in ${setUp()}`);
  await checkHistories(benched, features, runs, levels);
  const bytes = benched.bytes;
  const before = bytes ? await Promise.all(runs.map((run) => bytes(run))) : [];
  const measured = stopwatch();
  const costs = await measureRounds(benched.store, features, runs, levels, orders, reads);
  log(`${benched.name}: ${rounds} rounds of reads and writes in ${measured()}`);
  await checkHistories(benched, features, runs, after);
  let maxBytesAfter = 0;
  if (bytes) {
    for (const run of runs) maxBytesAfter = Math.max(maxBytesAfter, ...Object.values(await bytes(run)));
  }
  const read = levelSpread(costs.read);
  const write = levelSpread(costs.write);
  const rows = levels.map((level, l) => ({
    events: level,
    events_after: after[l] as number,
    store: benched.name,
    read_us: us(read.medians[l] as number),
    read_range: range(column(costs.read, l)),
    read_ratio: ratio(read.medianRatios[l] as number),
    write_us: us(write.medians[l] as number),
    write_range: range(column(costs.write, l)),
    write_ratio: ratio(write.medianRatios[l] as number),
    ...before[l],
  }));
  return { rows, read, write, maxBytesAfter };
}

/** Each store in turn: its warm-up, its levels' set-up, its rounds, the checks of its histories. */
export async function runStoreLevels(
  stores: readonly BenchedStore[],
  features: FeatureSet,
  options: StoreLevelsOptions,
  log: (line: string) => void,
): Promise<StoreLevelsResult> {
  checkOptions(options);
  const orders = roundOrders(options.levels.length, options.rounds, options.seed);
  const rows: LevelRow[] = [];
  const spreads: StoreLevelsResult["spreads"][number][] = [];
  let maxBytesAfter = 0;
  for (const benched of stores) {
    const done = await runStore(benched, features, options, orders, log);
    rows.push(...done.rows);
    spreads.push({ store: benched.name, read: done.read, write: done.write });
    maxBytesAfter = Math.max(maxBytesAfter, done.maxBytesAfter);
  }
  return { rows, spreads, maxBytesAfter, orders };
}
