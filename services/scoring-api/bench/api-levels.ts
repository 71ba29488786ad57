// The core of bench:api-levels: per API (one per store it runs on), one set of hot entities per
// level brought to its history straight in the API's own store, checked through the API, then
// rounds that each send every level's checkouts through POST /v1/score once, in a seeded order.
import type { Checkout } from "@riskgate/feature-store/events";
import {
  checkoutOf,
  cpuMicros,
  EVENTS_IN_A_DAY,
  type LevelSpread,
  levelRun,
  levelSpread,
  type Run,
  ratio,
  roundOrders,
  setUpRuns,
  stopwatch,
  us,
  WARM_RUN,
} from "@riskgate/feature-store/level-bench";
import type { BenchedApi } from "./benched-api.ts";
import { checkHistories } from "./level-history.ts";

export interface ApiLevelsOptions {
  /** Events on the hot entities before the rounds, one set of entities per level. */
  readonly levels: readonly number[];
  readonly rounds: number;
  /** Checkouts per level per round. */
  readonly checkouts: number;
  /** Checkouts in flight at once within a slice (one level, one round). */
  readonly concurrency: number;
  /** Seeds the order of the levels in each round. */
  readonly seed: number;
}

export type LevelRow = Record<string, number | string>;
/** Per level, how many answers of each kind: `<mode>/<decision>`, or `http <status>`. */
export type Answers = Record<string, number>;

/** One API's run: a row per level, the levels' CPU spread and answers, the largest hot entity after. */
export interface ApiLevelsResult {
  readonly name: string;
  readonly rows: LevelRow[];
  readonly cpu: LevelSpread;
  /** Per level (index as in `levels`): its answers over all rounds. */
  readonly answers: readonly Answers[];
  /** The largest hot entity of any level after the rounds (APIs that tell bytes only; else 0). */
  readonly maxBytesAfter: number;
  /** The order of the levels (indices into `levels`) in each round: the same for every API. */
  readonly orders: readonly (readonly number[])[];
}

/** Checkouts the warm-up sends on entities of its own, at most: the JIT has settled well before. */
const WARM_UP_CHECKOUTS = 2_000;

function checkOptions(o: ApiLevelsOptions): void {
  const positive = (n: number) => Number.isInteger(n) && n >= 1;
  for (const [name, value] of [
    ["--rounds", o.rounds],
    ["--checkouts", o.checkouts],
    ["--concurrency", o.concurrency],
  ] as const) {
    if (!positive(value)) throw new RangeError(`${name} must be a positive integer`);
  }
  if (!Number.isInteger(o.seed)) throw new RangeError("--seed must be an integer");
  if (o.levels.length < 2 || !o.levels.every(positive)) {
    throw new RangeError("--levels must be two or more positive integers");
  }
  const longest = Math.max(...o.levels) + o.rounds * o.checkouts;
  if (longest >= EVENTS_IN_A_DAY) {
    throw new RangeError(
      `the longest level with its ${o.rounds * o.checkouts} scored checkouts must stay under ${EVENTS_IN_A_DAY} ` +
        "events (one day of event time: the bench checks each level's history by its listing's 24-hour count)",
    );
  }
}

/** What one answer was, for the comparison of the levels' answers. */
function answerOf(statusCode: number, body: string): string {
  if (statusCode !== 200) return `http ${statusCode}`;
  const { mode, decision } = JSON.parse(body) as { mode: string; decision: string };
  return `${mode}/${decision}`;
}

/**
 * CPU µs per checkout of scoring `bodies` through POST /v1/score, `concurrency` at a time. The
 * bodies are built before the clock starts; the client's own work (app.inject serialising each body,
 * the fake request and response, parsing each answer) is inside it.
 */
async function slice(api: BenchedApi, bodies: readonly Checkout[], concurrency: number, answers: Answers) {
  let next = 0;
  const c0 = cpuMicros();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, bodies.length) }, async () => {
      while (next < bodies.length) {
        const res = await api.app.inject({
          method: "POST",
          url: "/v1/score",
          headers: api.headers,
          payload: bodies[next++] as Checkout,
        });
        const answer = answerOf(res.statusCode, res.body);
        answers[answer] = (answers[answer] ?? 0) + 1;
      }
    }),
  );
  return (cpuMicros() - c0) / bodies.length;
}

/** The levels' answers in words, most frequent first: `normal/allow 100 %`. */
function answerMix(answers: Answers): string {
  const total = Object.values(answers).reduce((a, b) => a + b, 0);
  return Object.entries(answers)
    .sort((a, b) => b[1] - a[1])
    .map(([answer, n]) => `${answer} ${((100 * n) / total).toFixed(1)} %`)
    .join(", ");
}

/**
 * One API: its warm-up, its levels' set-up and the check of their histories through the API, its
 * rounds, and the check after them. Called once per API with the same options, it measures the
 * levels in the same orders (from the seed).
 */
export async function runApiLevels(
  api: BenchedApi,
  options: ApiLevelsOptions,
  log: (line: string) => void,
): Promise<ApiLevelsResult> {
  checkOptions(options);
  const { levels, rounds, checkouts, concurrency } = options;
  const orders = roundOrders(levels.length, rounds, options.seed);
  const runs = levels.map((_, l) => levelRun(l));
  const after = levels.map((level) => level + rounds * checkouts);
  const setUpOptions = { ids: api.ids, afterBatch: api.forget };
  // Warm-up on entities of its own, not measured, so the first slices do not measure the JIT.
  // Before the levels' set-up: the embedded store forgets what the later set-up does not rewrite.
  await setUpRuns(api.store, [WARM_RUN], [1_000], setUpOptions);
  const warm = Math.min(WARM_UP_CHECKOUTS, rounds * checkouts);
  await slice(
    api,
    Array.from({ length: warm }, (_, k) => checkoutOf(WARM_RUN, 1_000 + k)),
    concurrency,
    {},
  );
  const setUp = stopwatch();
  await setUpRuns(api.store, runs, levels, setUpOptions);
  log(`${api.name}: ${levels.reduce((a, b) => a + b, 0)} events set up in ${setUp()}`);
  await checkHistories(api, runs, levels);
  const bytes = api.bytes;
  const before = bytes ? await Promise.all(runs.map((run) => bytes(run))) : [];
  const answers: Answers[] = levels.map(() => ({}));
  const costs: number[][] = [];
  const measured = stopwatch();
  for (const [r, order] of orders.entries()) {
    const round: number[] = new Array(order.length);
    for (const l of order) {
      const first = (levels[l] as number) + r * checkouts;
      const bodies = Array.from({ length: checkouts }, (_, k) => checkoutOf(runs[l] as Run, first + k));
      round[l] = await slice(api, bodies, concurrency, answers[l] as Answers);
    }
    costs.push(round);
  }
  log(`${api.name}: ${rounds} rounds in ${measured()}`);
  // Every scored checkout was counted: the velocity write ran for each, at its level.
  await checkHistories(api, runs, after);
  let maxBytesAfter = 0;
  if (bytes) {
    for (const run of runs) maxBytesAfter = Math.max(maxBytesAfter, ...Object.values(await bytes(run)));
  }
  const cpu = levelSpread(costs);
  const column = (l: number) => costs.map((round) => round[l] as number);
  const rows: LevelRow[] = levels.map((level, l) => ({
    events: level,
    events_after: after[l] as number,
    api: api.name,
    cpu_us: us(cpu.medians[l] as number),
    cpu_range: `${us(Math.min(...column(l)))}-${us(Math.max(...column(l)))}`,
    cpu_ratio: ratio(cpu.medianRatios[l] as number),
    answers: answerMix(answers[l] as Answers),
    ...before[l],
  }));
  return { name: api.name, rows, cpu, answers, maxBytesAfter, orders };
}
