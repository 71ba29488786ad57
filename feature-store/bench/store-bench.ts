// Per-checkout CPU of the feature work (read + compute, and the checkout's own write) and Redis
// memory per entity, as one listing, host, IP and card see 10 … 1,000,000 events: a card-testing
// run through one hot listing. Flat from the first level to the last is the target (bounded state).
// Each level has hot entities of its own, and every round measures all levels within about a
// second: what drifts over minutes (VM, GC, the shared Redis) then moves every level alike.
// usage: REDIS_URL=redis://127.0.0.1:6399 npm run bench:store -- [--levels 10,1000,100000,1000000] [--rounds 15] [--reads 1000] [--seed 1]

import { Redis } from "ioredis";
import { FeatureSet } from "../src/definitions/feature-set.ts";
import { FEATURES } from "../src/definitions/features.ts";
import { MemoryStore } from "../src/online/memory-store.ts";
import { RedisKeys } from "../src/online/redis-keys.ts";
import { RedisStore } from "../src/online/redis-store.ts";
import { cliArgs } from "./cli-args.ts";
import { reportLines } from "./level-report.ts";
import { forgetVisitors, hotEntityBytes, removeKeys } from "./level-workload.ts";
import { type BenchedStore, runStoreLevels, type StoreLevelsOptions } from "./store-levels.ts";

const { values } = cliArgs(import.meta.url, {
  options: {
    levels: { type: "string", default: "10,1000,100000,1000000" },
    // 15 rounds of 1,000: a slice (one level, one round) is ~25 ms of CPU on the memory store and
    // ~0.1-0.2 s on Redis, so a round compares the levels within about a second, and the median of
    // 15 paired ratios outvotes the slices a major GC or a VM stall hit. A memory-store read or
    // write allocates a young-generation GC every ~2,500 (measured on a 20,000-event level), so a
    // slice holds none or one: longer slices would average it in, at more probe writes per level,
    // which already add 15,000 events to every level (the 5 rounds of 2,000 before added 10,000).
    // Equal levels (1000 ×4, 15 rounds of 200, on a loaded 2-core box at nice 19) gave a flatness
    // of 1.05-1.09 against plain 1.10-1.27.
    rounds: { type: "string", default: "15" },
    reads: { type: "string", default: "1000" },
    seed: { type: "string", default: "1" },
  },
});
const options: StoreLevelsOptions = {
  levels: (values.levels as string).split(",").map(Number),
  rounds: Number(values.rounds),
  reads: Number(values.reads),
  seed: Number(values.seed),
};
const url = process.env.REDIS_URL;
if (!url) throw new Error("REDIS_URL is required (infra/dev/redis.sh start prints it)");

const redis = new Redis(url, { enableOfflineQueue: true });
const prefix = `bench-store:${process.pid}:`;
const keys = new RedisKeys(prefix);
// Redis first: measured before the memory store holds its ~400 MB of entities in this heap.
const stores: BenchedStore[] = [
  {
    name: "redis",
    store: new RedisStore(redis, { keyPrefix: prefix }),
    bytes: (run) => hotEntityBytes(redis, keys, run),
    forget: (checkouts) => forgetVisitors(redis, keys, checkouts),
  },
  { name: "memory", store: new MemoryStore() },
];
try {
  const result = await runStoreLevels(stores, new FeatureSet(FEATURES), options, (line) =>
    process.stderr.write(`${line}\n`),
  );
  for (const row of result.rows) process.stderr.write(`${JSON.stringify(row)}\n`);
  console.table(result.rows);
  for (const line of reportLines(result, options)) process.stdout.write(`${line}\n`);
} finally {
  process.stdout.write(`removed this run's ${await removeKeys(redis, prefix)} keys\n`);
  await redis.quit();
}
