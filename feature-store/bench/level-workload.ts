// The workload of bench:store: a card-testing run through one hot listing. Every checkout has a
// fresh user and device, and the same listing, host, IP and card: those four are the hot entities
// whose per-checkout cost and memory must stay flat however long the run.
import type { Redis } from "ioredis";
import type { Entity } from "../src/definitions/entities.ts";
import type { FeatureSet } from "../src/definitions/feature-set.ts";
import { DAY } from "../src/definitions/time.ts";
import type { Checkout, DomainEvent } from "../src/events/index.ts";
import type { OnlineStore } from "../src/online/contract.ts";
import { readCheckoutFeatures } from "../src/online/read-features.ts";
import type { RedisKeys } from "../src/online/redis-keys.ts";
import { update } from "../src/update/update.ts";

// One event every 50 ms of event time: 1,000,000 events span about 14 hours, so the hour rings
// and the half-day HyperLogLog buckets of the 24-hour windows turn over during the run.
const T0 = Date.parse("2026-03-01T00:00:00Z");
const STEP_MS = 50;
const BATCH = 1_000;
const iso = (ms: number) => new Date(ms).toISOString();
/** Events of a run that fit in its first day: within them the hot listing's 24-hour count holds them all. */
export const EVENTS_IN_A_DAY = DAY / STEP_MS;

/** One run of checkouts on hot entities of its own: a measured level, or the warm-up's. */
export interface Run {
  readonly tag: string;
  readonly ip: string;
}

/** The hot entities of level `index` (its position in --levels): ids no other level shares. */
export function levelRun(index: number): Run {
  if (!(Number.isInteger(index) && index >= 0 && index < 256)) throw new RangeError("at most 256 levels");
  return { tag: `hot${index}`, ip: `10.9.${index}.9` };
}

export const WARM_RUN: Run = { tag: "warm", ip: "10.8.8.8" };

/** The `i`-th checkout of a run, `i` × 50 ms after the run's start. */
export function checkoutOf(run: Run, i: number): Checkout {
  const at = T0 + i * STEP_MS;
  return {
    event_id: `${run.tag}-${i}`,
    occurred_at: iso(at),
    user: { id: `u${run.tag}-${i}`, created_at: iso(at - 100 * 86_400_000), email_verified: true },
    device: { id: `d${run.tag}-${i}`, ip: run.ip, ip_country: "DE" },
    payment: { instrument_id: `pi-${run.tag}`, type: "card", country: "DE", billing_country: "DE" },
    listing: { id: `l-${run.tag}`, host_id: `h-${run.tag}`, country: "PT" },
    booking: { amount: 250, currency: "EUR", nights: 2, checkin_at: iso(at + 20 * 86_400_000) },
    message: { text: "Hi, arriving late" },
  };
}

export function eventOf(run: Run, i: number): DomainEvent {
  return { type: "checkout", ...checkoutOf(run, i) };
}

/**
 * The identifiers a store holds for a checkout's: the raw ones (bench:store writes the store itself),
 * or the scoring API's pseudonyms of them (bench:api-levels sets up the store that API reads).
 */
export type StoredIds = (checkout: Checkout) => Checkout;
const rawIds: StoredIds = (c) => c;

/** The run's hot entities, [entity, id as stored]. */
function hotEntities(run: Run, ids: StoredIds): readonly (readonly [Entity, string])[] {
  const c = ids(checkoutOf(run, 0));
  return [
    ["listing", c.listing.id],
    ["host", c.listing.host_id],
    ["ip", c.device.ip],
    ["payment_instrument", c.payment.instrument_id],
  ];
}

/**
 * Brings each run to its history: run k gets events 0 … histories[k] - 1, through applyBatch in
 * batches of 1,000 steps (the fast path; the 1,000,000-event level is most of the set-up). The runs
 * end together, interleaved: run k's events are applied in the last histories[k] steps. The
 * embedded store forgets an entity not written while ~100,000 others were created, and the longest
 * run creates two million users and devices: a level set up before it, or long before the end,
 * would be measured on an empty entity. `afterBatch` gets each batch's checkouts as written.
 */
export async function setUpRuns(
  store: OnlineStore,
  runs: readonly Run[],
  histories: readonly number[],
  options: {
    readonly afterBatch?: (checkouts: readonly Checkout[]) => Promise<void>;
    readonly ids?: StoredIds;
  } = {},
): Promise<void> {
  const ids = options.ids ?? rawIds;
  const longest = Math.max(0, ...histories);
  const offsets = histories.map((h) => longest - h);
  for (let from = 0; from < longest; from += BATCH) {
    const checkouts: Checkout[] = [];
    for (let step = from; step < Math.min(longest, from + BATCH); step++) {
      runs.forEach((run, k) => {
        const i = step - (offsets[k] as number);
        if (i >= 0) checkouts.push(ids(checkoutOf(run, i)));
      });
    }
    await store.applyBatch(checkouts.map((c) => update({ type: "checkout", ...c })));
    await options.afterBatch?.(checkouts);
  }
}

/**
 * The checkouts the run's hot listing holds in its 24-hour count, read as the run's checkout number
 * `events` would read it: every event before it while the run stays within its first day.
 */
export async function listingCheckouts(
  store: OnlineStore,
  features: FeatureSet,
  run: Run,
  events: number,
): Promise<number> {
  const vector = await readCheckoutFeatures(store, features, checkoutOf(run, events));
  return features.toRecord(vector).listing_checkouts_24h as number;
}

/** Entities' keys: each one's hash, dedup ring and what the hash registers (`_k:<suffix>`), looked
 *  up directly (one pipeline), not by a SCAN over a Redis that may hold millions of keys. */
async function keysOf(
  redis: Redis,
  keys: RedisKeys,
  entities: readonly (readonly [Entity, string])[],
): Promise<string[]> {
  const bases = entities.map(([entity, id]) => keys.base(entity, id));
  const pipeline = redis.pipeline();
  for (const base of bases) pipeline.hkeys(`${base}:h`);
  const replies = (await pipeline.exec()) ?? [];
  return bases.flatMap((base, n) => {
    const [error, fields] = replies[n] ?? [new Error("no reply to HKEYS")];
    if (error) throw error;
    const registered = (fields as string[]).filter((f) => f.startsWith("_k:"));
    return [`${base}:h`, `${base}:seen`, ...registered.map((f) => `${base}:${f.slice(3)}`)];
  });
}

/** Redis bytes of each hot entity of the run (MEMORY USAGE of each of its keys), by `<entity>_bytes`. */
export async function hotEntityBytes(
  redis: Redis,
  keys: RedisKeys,
  run: Run,
  ids: StoredIds = rawIds,
): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const entity of hotEntities(run, ids)) {
    let bytes = 0;
    for (const key of await keysOf(redis, keys, [entity])) bytes += (await redis.memory("USAGE", key)) ?? 0;
    out[`${entity[0]}_bytes`] = bytes;
  }
  return out;
}

/**
 * Removes the keys the checkouts wrote for their own (fresh) user and device, read by nothing after.
 * Each checkout leaves ~2 KB in Redis (9 keys), so the 1,000,000-event level alone would pass the
 * dev Redis's 2 GB `maxmemory` (noeviction: every write refused from there on). The hot entities,
 * the subject, keep all their keys.
 */
export async function forgetVisitors(
  redis: Redis,
  keys: RedisKeys,
  checkouts: readonly Checkout[],
): Promise<void> {
  const visitors = checkouts.flatMap((c) => [["user", c.user.id] as const, ["device", c.device.id] as const]);
  const doomed = await keysOf(redis, keys, visitors);
  for (let i = 0; i < doomed.length; i += 10_000) await redis.unlink(...doomed.slice(i, i + 10_000));
}

/**
 * Removes every key under `prefix`: at 1,000,000 events the users and devices alone are two million
 * entities, ~2 GB that would otherwise stay 400 days (their TTL) in the developer's Redis. SCAN in
 * pages of 10,000 and UNLINK (freed off the main thread): other clients wait at most a page.
 */
export async function removeKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = "0";
  let removed = 0;
  do {
    const [next, page] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 10_000);
    if (page.length > 0) removed += await redis.unlink(...page);
    cursor = next;
  } while (cursor !== "0");
  return removed;
}
