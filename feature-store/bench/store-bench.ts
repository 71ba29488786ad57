// Per-checkout CPU of the feature work (read + compute, and the checkout's own write) and Redis
// memory per entity, as one listing, host, IP and card see 10 … 1,000,000 events: a card-testing
// run through one hot listing. Flat from the first level to the last is the target (bounded state).
// usage: REDIS_URL=redis://127.0.0.1:6399 npm run bench:store -- [--levels 10,1000,100000,1000000] [--reads 2000] [--rounds 5]
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import type { Entity } from "../src/definitions/entities.ts";
import { FeatureSet } from "../src/definitions/feature-set.ts";
import { FEATURES } from "../src/definitions/features.ts";
import type { Checkout, DomainEvent } from "../src/events/index.ts";
import type { OnlineStore } from "../src/online/contract.ts";
import { MemoryStore } from "../src/online/memory-store.ts";
import { readCheckoutFeatures } from "../src/online/read-features.ts";
import { RedisKeys } from "../src/online/redis-keys.ts";
import { RedisStore } from "../src/online/redis-store.ts";
import { update } from "../src/update/update.ts";

const { values } = parseArgs({
  options: {
    levels: { type: "string", default: "10,1000,100000,1000000" },
    reads: { type: "string", default: "2000" },
    rounds: { type: "string", default: "5" },
  },
});
const levels = (values.levels as string).split(",").map(Number);
const reads = Number(values.reads);
// One round of 2,000 memory-store reads is ~50 ms of CPU, so a single major GC or a VM stall in it
// moved a level by 1.5-2x; the median of several rounds is the level's cost, their range its noise.
const rounds = Number(values.rounds);
if (!(Number.isInteger(rounds) && rounds >= 1)) throw new Error("--rounds must be a positive integer");
const url = process.env.REDIS_URL;
if (!url) throw new Error("REDIS_URL is required (infra/dev/redis.sh start prints it)");

// One event every 50 ms of event time: 1,000,000 events span about 14 hours, so the hour rings
// and the half-day HyperLogLog buckets of the 24-hour windows turn over during the run.
const T0 = Date.parse("2026-03-01T00:00:00Z");
const STEP_MS = 50;
const iso = (ms: number) => new Date(ms).toISOString();
/** The entities one run of checkouts shares: the measured hot ones, or the warm-up's own. */
interface Shared {
  readonly tag: string;
  readonly ip: string;
}
const HOT_RUN: Shared = { tag: "hot", ip: "10.9.9.9" };
const WARM_RUN: Shared = { tag: "warm", ip: "10.8.8.8" };
const checkout = (i: number, at: number, run: Shared): Checkout => ({
  event_id: `${run.tag}-${i}`,
  occurred_at: iso(at),
  user: { id: `u${run.tag}${i}`, created_at: iso(at - 100 * 86_400_000), email_verified: true },
  device: { id: `d${run.tag}${i}`, ip: run.ip, ip_country: "DE" },
  payment: { instrument_id: `pi-${run.tag}`, type: "card", country: "DE", billing_country: "DE" },
  listing: { id: `l-${run.tag}`, host_id: `h-${run.tag}`, country: "PT" },
  booking: { amount: 250, currency: "EUR", nights: 2, checkin_at: iso(at + 20 * 86_400_000) },
  message: { text: "Hi, arriving late" },
});
const event = (i: number, run: Shared = HOT_RUN): DomainEvent => ({
  type: "checkout",
  ...checkout(i, T0 + i * STEP_MS, run),
});

const redis = new Redis(url, { enableOfflineQueue: true });
const prefix = `bench-store:${process.pid}:`;
const keys = new RedisKeys(prefix);
const stores: Record<string, OnlineStore> = {
  memory: new MemoryStore(),
  redis: new RedisStore(redis, { keyPrefix: prefix }),
};
const features = new FeatureSet(FEATURES);

function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/**
 * CPU per checkout in µs, per round of `reads` fresh checkouts on the hot entities: every round's
 * reads first, so all of them see the level's state, then the rounds' writes, which add
 * `rounds × reads` events to it.
 */
async function measure(
  store: OnlineStore,
  from: number,
  run: Shared = HOT_RUN,
): Promise<{ read_us: number[]; write_us: number[] }> {
  const probes = Array.from({ length: rounds }, (_, r) =>
    Array.from({ length: reads }, (_, k) => event(from + r * reads + k, run)),
  );
  const perRound = async (work: (e: DomainEvent) => Promise<unknown>) => {
    const out: number[] = [];
    for (const round of probes) {
      const c0 = cpuMicros();
      for (const e of round) await work(e);
      out.push(Math.round((cpuMicros() - c0) / reads));
    }
    return out;
  };
  const read_us = await perRound((e) => {
    const { type: _t, ...c } = e as DomainEvent & { type: "checkout" };
    return readCheckoutFeatures(store, features, c);
  });
  const write_us = await perRound((e) => store.apply(update(e)));
  return { read_us, write_us };
}

/** An entity's keys: its hash, dedup ring and what the hash registers (`_k:<suffix>`), for its
 *  size: looked up directly, not by a SCAN over a Redis that may hold millions of keys. */
async function entityKeys(entity: string, id: string): Promise<string[]> {
  const base = keys.base(entity as Entity, id);
  const fields = await redis.hkeys(`${base}:h`);
  return [
    `${base}:h`,
    `${base}:seen`,
    ...fields.filter((f) => f.startsWith("_k:")).map((f) => `${base}:${f.slice(3)}`),
  ];
}

async function entityBytes(entity: string, id: string): Promise<number> {
  let bytes = 0;
  for (const key of await entityKeys(entity, id)) bytes += (await redis.memory("USAGE", key)) ?? 0;
  return bytes;
}

const sharedEntities = (run: Shared) =>
  [
    ["listing", `l-${run.tag}`],
    ["host", `h-${run.tag}`],
    ["ip", run.ip],
    ["payment_instrument", `pi-${run.tag}`],
  ] as const;
const HOT = sharedEntities(HOT_RUN);

// Warm-up on entities of its own, not measured: without it the first level measured the JIT
// compiling the read and write paths (2x the CPU of later levels), not the cost of 10 events.
for (const store of Object.values(stores)) {
  await store.applyBatch(Array.from({ length: 1_000 }, (_, k) => update(event(k, WARM_RUN))));
  await measure(store, 1_000, WARM_RUN);
}

function median(v: readonly number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1
    ? (s[mid] as number)
    : Math.round(((s[mid - 1] as number) + (s[mid] as number)) / 2);
}

const rows: Record<string, number | string>[] = [];
let written = 0;
for (const level of levels) {
  for (const [name, store] of Object.entries(stores)) {
    for (let i = written; i < level; i += 1_000) {
      const batch: ReturnType<typeof update>[] = [];
      for (let k = i; k < Math.min(level, i + 1_000); k++) batch.push(update(event(k)));
      await store.applyBatch(batch);
    }
    // The probes are the next events of the run: a level's reads see `events`, its writes take the
    // entities to `events_after`, and a level below the previous one's `events_after` starts there.
    const from = Math.max(level, written);
    const { read_us: read, write_us: write } = await measure(store, from);
    const row: Record<string, number | string> = {
      events: from,
      events_after: from + rounds * reads,
      store: name,
      read_us: median(read),
      write_us: median(write),
      read_range: `${Math.min(...read)}-${Math.max(...read)}`,
      write_range: `${Math.min(...write)}-${Math.max(...write)}`,
    };
    if (name === "redis") {
      for (const [entity, id] of HOT) {
        row[`${entity}_bytes`] = await entityBytes(entity, id);
      }
    }
    rows.push(row);
    process.stderr.write(`${JSON.stringify(row)}\n`);
  }
  written = Math.max(level, written) + rounds * reads;
}
console.table(rows);
for (const name of Object.keys(stores)) {
  const mine = rows.filter((r) => r.store === name);
  const spread = (k: string) => {
    const v = mine.map((r) => r[k] as number);
    return (Math.max(...v) / Math.min(...v)).toFixed(2);
  };
  process.stdout.write(
    `${name}: max/min over levels of the median read CPU ${spread("read_us")}, write CPU ${spread("write_us")} (${rounds} rounds of ${reads} per level)\n`,
  );
}
const maxBytes = Math.max(
  ...rows.flatMap((r) =>
    Object.entries(r)
      .filter(([k]) => k.endsWith("_bytes"))
      .map(([, v]) => v as number),
  ),
);
process.stdout.write(`largest entity in Redis: ${maxBytes} bytes (target ≤ ${64 * 1024})\n`);
// Every key of this run (its own prefix): at 1,000,000 events the users and devices alone are two
// million entities, ~2 GB that would otherwise stay 400 days (their TTL) in the developer's Redis.
// SCAN in pages of 10,000 and UNLINK (freed off the main thread): other clients wait at most a page.
let cursor = "0";
let removed = 0;
do {
  const [next, page] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 10_000);
  if (page.length > 0) removed += await redis.unlink(...page);
  cursor = next;
} while (cursor !== "0");
process.stdout.write(`removed this run's ${removed} keys\n`);
await redis.quit();
