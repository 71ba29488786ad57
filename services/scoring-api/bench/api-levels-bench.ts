// The scoring API's whole CPU per checkout, and Redis bytes per hot entity, as one listing, host, IP
// and card see 10 … 1,000,000 events: bench:store's card-testing run, measured through the real API
// (built as main.ts builds it, in process) on each store it runs on, Redis and the embedded one.
// Each level's history is written straight into the API's store under the API's pseudonyms (the
// 1,000,000-event level cannot go through HTTP) and checked through POST /v1/features; then paired
// rounds of POST /v1/score as bench:store's (feature-store/bench/paired-rounds.ts).
// usage: REDIS_URL=redis://127.0.0.1:6399 npm run bench:api-levels -- [--levels 10,1000,100000,1000000]
//          [--rounds 15] [--checkouts 1000] [--concurrency 8] [--seed 1] [--apis redis,memory]
import { cliArgs } from "@riskgate/feature-store/cli-args";
import { removeKeys } from "@riskgate/feature-store/level-bench";
import { startApi } from "@riskgate/test-support/api-harness";
import { Redis } from "ioredis";
import { type ApiLevelsOptions, type ApiLevelsResult, runApiLevels } from "./api-levels.ts";
import { reportLines } from "./api-levels-report.ts";
import { benchEnv, benchedApi } from "./benched-api.ts";
import { SHADOWED_RULES, shadowedRulesFile } from "./shadowed-rules.ts";

const { values } = cliArgs(import.meta.url, {
  options: {
    levels: { type: "string", default: "10,1000,100000,1000000" },
    // bench:store's 15 rounds: the median of 15 paired ratios outvotes the slices a major GC or a
    // VM stall hit. A slice of 1,000 checkouts is ~1 s of CPU, so a round takes every level within
    // a few seconds.
    rounds: { type: "string", default: "15" },
    checkouts: { type: "string", default: "1000" },
    // As services/scoring-api/bench/cpu-per-checkout.ts: several checkouts share each Redis write.
    concurrency: { type: "string", default: "8" },
    seed: { type: "string", default: "1" },
    apis: { type: "string", default: "redis,memory" },
  },
});
const options: ApiLevelsOptions = {
  levels: (values.levels as string).split(",").map(Number),
  rounds: Number(values.rounds),
  checkouts: Number(values.checkouts),
  concurrency: Number(values.concurrency),
  seed: Number(values.seed),
};
const apis = (values.apis as string).split(",");
for (const name of apis) {
  if (name !== "redis" && name !== "memory") throw new RangeError(`--apis: redis or memory, not ${name}`);
}
if (apis.includes("redis") && !process.env.REDIS_URL) {
  throw new Error(
    "REDIS_URL is required for the Redis API (infra/dev/redis.sh start prints it), or --apis memory",
  );
}
const log = (line: string) => process.stderr.write(`${line}\n`);

const rules = await shadowedRulesFile();
const env = benchEnv(rules.path);

/** One API, started, measured and closed; on Redis, its keys removed (SCAN + UNLINK of its prefix). */
async function measure(name: string): Promise<ApiLevelsResult> {
  const h = await startApi({ ...(name === "redis" ? { redis: true } : {}), env });
  try {
    return await runApiLevels(benchedApi(h), options, log);
  } finally {
    if (h.redis instanceof Redis)
      log(`${name}: removed this run's ${await removeKeys(h.redis, h.prefix)} keys`);
    await h.close();
  }
}

try {
  const results: ApiLevelsResult[] = [];
  // Redis first: measured before the embedded store holds its entities in this heap.
  for (const name of apis) results.push(await measure(name));
  const rows = results.flatMap((r) => r.rows);
  for (const row of rows) log(JSON.stringify(row));
  console.table(rows);
  for (const line of reportLines(results, options, { version: rules.version, shadowed: SHADOWED_RULES })) {
    process.stdout.write(`${line}\n`);
  }
} finally {
  await rules.remove();
}
