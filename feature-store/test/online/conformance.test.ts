import {
  account,
  checkout,
  checkoutMessage,
  label,
  listing,
  payment,
  T0,
} from "@riskgate/test-support/events";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { FeatureSet } from "../../src/definitions/feature-set.ts";
import { FEATURES } from "../../src/definitions/features.ts";
import { DAY, HORIZON_MS, HOUR, MINUTE } from "../../src/definitions/time.ts";
import type { DomainEvent } from "../../src/events/index.ts";
import type { OnlineStore } from "../../src/online/contract.ts";
import { readCheckoutFeatures } from "../../src/online/read-features.ts";
import { update } from "../../src/update/update.ts";
import { memoryFactory, redisFactory, type StoreFactory } from "./store-fixtures.ts";

const features = new FeatureSet(FEATURES);

async function applyAll(store: OnlineStore, events: readonly DomainEvent[]) {
  for (const e of events) await store.apply(update(e));
}

async function featuresAt(store: OnlineStore, at: number, over = {}) {
  return features.toRecord(await readCheckoutFeatures(store, features, checkout("probe", at, over)));
}

const factories: StoreFactory[] = [memoryFactory(), redisFactory()];
afterAll(async () => {
  for (const f of factories) await f.close();
});

describe.each(factories)("online store conformance: $name", (factory) => {
  it("counts failed attempts per instrument in sliding windows", async () => {
    const { store } = factory.create();
    await applyAll(store, [
      payment("p1", T0 - 25 * HOUR, { status: "failed" }),
      payment("p2", T0 - 30 * MINUTE, { status: "failed" }),
      payment("p3", T0 - 5 * MINUTE, { status: "failed" }),
      payment("p4", T0 - 1 * MINUTE, { status: "failed" }),
      payment("p5", T0 - 2 * MINUTE, { status: "succeeded" }),
    ]);
    const f = await featuresAt(store, T0);
    expect(f.instrument_failed_10m).toBe(2);
    expect(f.instrument_failed_1h).toBe(3);
    expect(f.instrument_failed_24h).toBe(3);
    expect(f.instrument_attempts_1h).toBe(4);
    expect(f.user_failed_payments_24h).toBe(3);
    expect(f.user_successful_payments).toBe(1);
    // Reading as of an earlier time excludes what happened after it.
    const earlier = await featuresAt(store, T0 - 20 * MINUTE);
    expect(earlier.instrument_failed_1h).toBe(1);
  });

  it("applies an event once, however often it is delivered", async () => {
    const { store } = factory.create();
    const e = payment("dup", T0 - MINUTE, { status: "succeeded", amount: 50 });
    expect((await store.apply(update(e))).outcomes.every((o) => o === "applied")).toBe(true);
    const again = await store.apply(update(e));
    expect(again.outcomes.every((o) => o === "duplicate")).toBe(true);
    const f = await featuresAt(store, T0);
    expect(f.user_successful_payments).toBe(1);
    expect(f.user_amount_vs_mean).toBeCloseTo(300 / 50, 10);
  });

  it("lands a late event in its window and keeps the newer last value", async () => {
    const { store } = factory.create();
    await applyAll(store, [
      listing("l-new", T0 - HOUR, { type: "listing_updated", price_per_night: 200 }),
      listing("l-old", T0 - 2 * DAY, { type: "listing_created", price_per_night: 100 }),
      payment("late", T0 - 3 * MINUTE, { status: "failed" }),
    ]);
    const f = await featuresAt(store, T0);
    expect(f.listing_price_ratio).toBeCloseTo(100 / 200, 10);
    expect(f.listing_age_days).toBeCloseTo(2, 10);
    expect(f.listing_updates_24h).toBe(1);
    expect(f.instrument_failed_10m).toBe(1);
  });

  it("drops and counts events later than the horizon", async () => {
    const { store, tooLate } = factory.create();
    await applyAll(store, [payment("now", T0, { status: "succeeded" })]);
    const result = await store.apply(
      update(payment("ancient", T0 - HORIZON_MS - DAY, { status: "succeeded" })),
    );
    expect(result.outcomes).toContain("too_late");
    expect(tooLate()).toBeGreaterThan(0);
    expect((await featuresAt(store, T0 + MINUTE)).user_successful_payments).toBe(1);
  });

  it("marks unknown entities missing and serves defaults", async () => {
    const { store } = factory.create();
    const vector = await readCheckoutFeatures(store, features, checkout("c", T0));
    const f = features.toRecord(vector);
    expect(vector.missing).toContain("user_checkouts_1h");
    expect(f.new_device_for_user).toBe(1);
    expect(f.user_hours_since_password_reset).toBe(720);
    expect(f.user_amount_vs_mean).toBe(1);
  });

  it("sees account events, labels, new devices and prior checkouts", async () => {
    const { store } = factory.create();
    await applyAll(store, [
      account("a1", T0 - 3 * HOUR, { type: "password_reset" }),
      account("a2", T0 - 2 * HOUR, { type: "login", device_id: "d_old", ip: "10.0.0.9" }),
      label("cb1", T0 - DAY),
      checkoutMessage("c1", T0 - 10 * MINUTE, { device: { id: "d_2", ip: "10.0.0.2", ip_country: "PT" } }),
    ]);
    const f = await featuresAt(store, T0);
    expect(f.user_hours_since_password_reset).toBeCloseTo(3, 10);
    expect(f.user_logins_24h).toBe(1);
    expect(f.user_chargebacks).toBe(1);
    expect(f.instrument_fraud_labels).toBe(1);
    expect(f.user_checkouts_1h).toBe(1);
    // d_1 (the password reset), d_old (the login) and d_2 (the checkout).
    expect(f.user_distinct_devices_7d).toBe(3);
    expect(f.new_device_for_user).toBe(0);
    expect(f.device_distinct_users_24h).toBe(1);
    const onNewDevice = await featuresAt(store, T0, {
      device: { id: "d_9", ip: "10.0.0.9", ip_country: "PT" },
    });
    expect(onNewDevice.new_device_for_user).toBe(1);
    expect(onNewDevice.new_ip_for_user).toBe(0);
    const onKnownDevice = await featuresAt(store, T0, {
      device: { id: "d_2", ip: "10.0.0.2", ip_country: "PT" },
    });
    expect(onKnownDevice.new_device_for_user).toBe(0);
    expect(onKnownDevice.new_ip_for_user).toBe(0);
    expect(onKnownDevice.device_checkouts_1h).toBe(1);
  });

  it("keeps ids, members and values with quotes, backslashes and non-ASCII text intact", async () => {
    const { store } = factory.create();
    // The Redis scripts take entities and operations as JSON, so these must survive the encoding.
    const id = 'u "q" \\ é 名';
    const members = ['d "1"', "d \\2", "d ü 3", "d \u{1F600} 4", "d \ud800 lone", "d \u0001\n ctl"];
    const value = 'say "hi" \\ ünïcode \u{1F600}';
    for (const [i, member] of members.entries()) {
      await store.apply({
        eventId: `e${i}`,
        eventTime: T0 - (i + 1) * MINUTE,
        entities: [
          {
            entity: "user",
            id,
            mutations: [
              { op: "distinct", set: "devices", member, windows: [HOUR] },
              { op: "count", stream: "logins", windows: [HOUR] },
              { op: "last", field: "note", value: `${value} ${i}` },
              { op: "incr", field: "n", by: 2 },
            ],
          },
        ],
      });
    }
    const [snap] = await store.read({
      asOf: T0,
      entities: [
        {
          entity: "user",
          id,
          counts: [{ name: "logins", windowMs: HOUR }],
          distinct: [{ name: "devices", windowMs: HOUR }],
          members: members.map((member) => ({ name: "devices", windowMs: HOUR, member })),
        },
      ],
    });
    expect(snap?.counts).toEqual([members.length]);
    expect(snap?.distinct).toEqual([members.length]);
    expect(snap?.members).toEqual(members.map((_, i) => T0 - (i + 1) * MINUTE));
    expect(snap?.fields?.note).toBe(`${value} 0`);
    expect(snap?.fields?.n).toBe(String(2 * members.length));
  });

  it("gives the same features for any order and duplication of the same events", async () => {
    await fc.assert(
      fc.asyncProperty(eventsArb, fc.integer({ min: 0, max: 2 ** 31 }), async (events, seed) => {
        const { store: inOrder } = factory.create();
        const sorted = [...events].sort((a, b) => Date.parse(a.occurred_at) - Date.parse(b.occurred_at));
        await applyAll(inOrder, sorted);
        const { store: shuffled } = factory.create();
        await applyAll(shuffled, shuffleWithDuplicates(events, seed));
        for (const at of [T0, T0 + 30 * MINUTE, T0 + 2 * DAY]) {
          expect(await featuresAt(shuffled, at)).toEqual(await featuresAt(inOrder, at));
        }
      }),
      { numRuns: factory.name === "redis" ? 25 : 150 },
    );
  });
});

describe("memory and Redis stores agree", () => {
  it("on a random mix of events", async () => {
    const memory = factories[0] as StoreFactory;
    const redis = factories[1] as StoreFactory;
    await fc.assert(
      fc.asyncProperty(eventsArb, async (events) => {
        const { store: m } = memory.create();
        const { store: r } = redis.create();
        await applyAll(m, events);
        await applyAll(r, events);
        for (const at of [T0, T0 + DAY]) expect(await featuresAt(r, at)).toEqual(await featuresAt(m, at));
      }),
      { numRuns: 25 },
    );
  });
});

const users = ["u_1", "u_2", "u_3"];
const instruments = ["pi_1", "pi_2"];
const devices = ["d_1", "d_2", "d_3"];
// Whole minutes, and whole hours for listings, so equal event times (tie-breaks) actually occur.
const offset = fc.integer({ min: -3 * 24 * 60, max: 0 }).map((m) => m * MINUTE);
const coarseOffset = fc.integer({ min: -5, max: 0 }).map((h) => h * HOUR);

const eventArb: fc.Arbitrary<(id: string) => DomainEvent> = fc.oneof(
  fc
    .record({
      at: offset,
      user: fc.constantFrom(...users),
      pi: fc.constantFrom(...instruments),
      device: fc.constantFrom(...devices),
      failed: fc.boolean(),
      amount: fc.integer({ min: 1, max: 2000 }),
      currency: fc.constantFrom("EUR", "USD", "GBP"),
    })
    .map(
      (r) => (id: string) =>
        payment(id, T0 + r.at, {
          user_id: r.user,
          payment_instrument_id: r.pi,
          device_id: r.device,
          status: r.failed ? "failed" : "succeeded",
          amount: r.amount,
          currency: r.currency,
        }),
    ),
  fc
    .record({
      at: offset,
      user: fc.constantFrom(...users),
      type: fc.constantFrom("signup", "login", "password_reset", "email_change", "device_added" as const),
      device: fc.constantFrom(...devices),
    })
    .map(
      (r) => (id: string) => account(id, T0 + r.at, { type: r.type, user_id: r.user, device_id: r.device }),
    ),
  fc.record({ at: coarseOffset, created: fc.boolean(), price: fc.integer({ min: 20, max: 500 }) }).map(
    (r) => (id: string) =>
      listing(id, T0 + r.at, {
        type: r.created ? "listing_created" : "listing_updated",
        price_per_night: r.price,
      }),
  ),
  fc
    .record({ at: offset, user: fc.constantFrom(...users), fraud: fc.boolean(), chargeback: fc.boolean() })
    .map(
      (r) => (id: string) =>
        label(id, T0 + r.at, {
          type: r.chargeback ? "chargeback" : "review_outcome",
          label: r.fraud ? "fraud" : "legit",
          user_id: r.user,
        }),
    ),
  fc.record({ at: offset, user: fc.constantFrom(...users), device: fc.constantFrom(...devices) }).map(
    (r) => (id: string) =>
      checkoutMessage(id, T0 + r.at, {
        user: { id: r.user, created_at: "2025-01-01T00:00:00Z" },
        device: { id: r.device, ip: "10.0.0.1" },
      }),
  ),
);

const eventsArb = fc
  .array(eventArb, { minLength: 1, maxLength: 40 })
  .map((makers) => makers.map((make, i) => make(`e${i}`)));

function shuffleWithDuplicates(events: readonly DomainEvent[], seed: number): DomainEvent[] {
  let s = seed >>> 0;
  const rand = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const out = [...events, ...events.filter(() => rand() < 0.5)];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j] as DomainEvent, out[i] as DomainEvent];
  }
  return out;
}
