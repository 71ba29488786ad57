// Feature read latency for one checkout on the real Redis at a constant arrival rate.
// usage: REDIS_URL=redis://127.0.0.1:6399 npm run bench:features -- [--rate 1000] [--seconds 30]

import { Redis } from "ioredis";
import { FeatureSet } from "../src/definitions/feature-set.ts";
import { FEATURES } from "../src/definitions/features.ts";
import { DAY } from "../src/definitions/time.ts";
import type { Checkout, DomainEvent } from "../src/events/index.ts";
import { readCheckoutFeatures } from "../src/online/read-features.ts";
import { RedisStore } from "../src/online/redis-store.ts";
import { update } from "../src/update/update.ts";
import { cliArgs } from "./cli-args.ts";
import { openLoop, summarize } from "./open-loop.ts";

const { values } = cliArgs(import.meta.url, {
  options: { rate: { type: "string", default: "1000" }, seconds: { type: "string", default: "30" } },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const url = process.env.REDIS_URL;
if (!url) throw new Error("REDIS_URL is required (infra/dev/redis.sh start prints it)");

const USERS = 5_000;
const now = Date.now();
const iso = (ms: number) => new Date(ms).toISOString();
const checkoutFor = (i: number, at: number): Checkout => ({
  event_id: `bench-c${i}-${at}`,
  occurred_at: iso(at),
  user: { id: `u${i % USERS}`, created_at: iso(at - 100 * DAY), email_verified: true },
  device: { id: `d${i % USERS}`, ip: `10.1.${(i >> 8) & 255}.${i & 255}`, ip_country: "DE" },
  payment: { instrument_id: `pi${i % USERS}`, type: "card", country: "DE", billing_country: "DE" },
  listing: { id: `l${i % 500}`, host_id: `h${i % 100}`, country: "PT" },
  booking: { amount: 250, currency: "EUR", nights: 2, checkin_at: iso(at + 20 * DAY) },
  message: { text: "Hi, arriving late" },
});

const redis = new Redis(url, { enableOfflineQueue: true });
const store = new RedisStore(redis, { keyPrefix: `bench:${process.pid}:` });
const features = new FeatureSet(FEATURES);

// History: a few events per entity over the last week, so every read finds populated keys.
process.stderr.write("populating...\n");
const history: DomainEvent[] = [];
for (let i = 0; i < USERS * 4; i++) {
  const at = now - ((i * 7919) % (7 * DAY));
  const c = checkoutFor(i, at);
  history.push({ type: "checkout", ...c });
  history.push({
    type: "payment_attempt",
    event_id: `bench-p${i}`,
    occurred_at: iso(at + 1000),
    user_id: c.user.id,
    payment_instrument_id: c.payment.instrument_id,
    amount: 250,
    currency: "EUR",
    status: i % 9 === 0 ? "failed" : "succeeded",
  });
}
for (let i = 0; i < history.length; i += 500) await store.applyBatch(history.slice(i, i + 500).map(update));

// Warm up connections and JIT before measuring.
await openLoop(rate, 3, (i) => readCheckoutFeatures(store, features, checkoutFor(i, now)));
const ping = await openLoop(rate, seconds, () => redis.ping());
const reads = await openLoop(rate, seconds, (i) =>
  readCheckoutFeatures(store, features, checkoutFor(i * 31, now)),
);
const result = {
  rate,
  seconds,
  floor: summarize("redis PING", ping),
  read: summarize("feature read (1 checkout)", reads),
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);

const keys = await redis.keys(`bench:${process.pid}:*`);
for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
await redis.quit();
