// Pseudonyms: keyed, stable, one per (kind, identifier), and features computed on them are the
// features computed on the raw identifiers (training and serving agree without a retrain).

import {
  account,
  checkout,
  checkoutMessage,
  label,
  listing,
  payment,
  T0,
} from "@riskgate/test-support/events";
import { describe, expect, it } from "vitest";
import { FEATURES, FeatureSet } from "../../src/definitions/index.ts";
import {
  DEV_ID_HASH_KEY,
  type DomainEvent,
  eventSourceOf,
  PSEUDONYM,
  Pseudonymiser,
  pseudonymiserFor,
  topicForEventType,
} from "../../src/events/index.ts";
import { MemoryStore } from "../../src/online/memory-store.ts";
import { readCheckoutFeatures } from "../../src/online/read-features.ts";
import { update } from "../../src/update/update.ts";

const KEY = "k".repeat(32);
const p = new Pseudonymiser({ key: KEY, keyId: "k1" });
const MIN = 60_000;

const RAW_IDS = ["u_1", "u_2", "d_1", "d_2", "pi_1", "pi_2", "l_1", "h_1", "10.0.0.1", "10.0.0.2"];

const events: DomainEvent[] = [
  listing("ls1", T0 - 60 * MIN),
  account("a1", T0 - 50 * MIN, { type: "login", ip: "10.0.0.2" }),
  account("a2", T0 - 40 * MIN, { type: "device_added", user_id: "u_2", device_id: "d_2", ip: "10.0.0.1" }),
  payment("p1", T0 - 30 * MIN, { status: "failed" }),
  payment("p2", T0 - 20 * MIN, { user_id: "u_2", payment_instrument_id: "pi_2", device_id: "d_2" }),
  label("cb1", T0 - 15 * MIN),
  checkoutMessage("c0", T0 - 10 * MIN),
  checkoutMessage("c1", T0 - 5 * MIN, {
    user: { id: "u_2", created_at: "2025-01-01T00:00:00Z" },
    device: { id: "d_2", ip: "10.0.0.1", ip_country: "PT" },
  }),
];

describe("Pseudonymiser", () => {
  it("is keyed, stable, names its key, and keeps kinds apart", () => {
    const a = p.id("user", "u_1");
    expect(a).toMatch(PSEUDONYM);
    expect(a.startsWith("k1~")).toBe(true);
    expect(p.id("user", "u_1")).toBe(a);
    expect(p.id("device", "u_1")).not.toBe(a);
    expect(new Pseudonymiser({ key: "q".repeat(32), keyId: "k1" }).id("user", "u_1")).not.toBe(a);
  });

  it("hashes a pseudonym-shaped id from a client again: another entity, not the one it names", () => {
    const victim = p.id("user", "u_victim");
    const card = p.id("payment_instrument", "pi_victim");
    expect(p.id("user", victim)).toMatch(PSEUDONYM);
    expect(p.id("user", victim)).not.toBe(victim);
    expect(p.checkout(checkout("c1", T0, { user: { ...checkout("c1", T0).user, id: victim } })).user.id).toBe(
      p.id("user", victim),
    );
    const sent: DomainEvent[] = [
      account("a1", T0, { user_id: victim }),
      payment("p1", T0, { user_id: victim, payment_instrument_id: card }),
      // A label sent by a client (POST /v1/events, a non-label topic) is a client's too.
      label("cb1", T0, { user_id: victim, payment_instrument_id: card }),
      label("ro1", T0, { type: "review_outcome", user_id: victim, payment_instrument_id: card }),
    ];
    for (const e of sent) {
      const json = JSON.stringify(p.event(e, "client"));
      expect(json, e.type).not.toContain(victim);
      expect(json, e.type).toContain(p.id("user", victim));
    }
  });

  it("keeps the pseudonyms a label carries on the labels source only, and hashes its raw ids", () => {
    const user = p.id("user", "u_1");
    const card = p.id("payment_instrument", "pi_1");
    const outcome = label("ro1", T0, { type: "review_outcome", user_id: user, payment_instrument_id: card });
    expect(p.event(outcome, "labels")).toEqual(outcome);
    // A chargeback feed on the labels topic sends raw ids: hashed as anywhere else.
    expect(p.event(label("cb1", T0), "labels")).toMatchObject({ user_id: user, payment_instrument_id: card });
    // Other event types never keep a pseudonym-shaped id, whatever the source says.
    expect(p.event(account("a1", T0, { user_id: user }), "labels")).toMatchObject({
      user_id: p.id("user", user),
    });
    expect(eventSourceOf("labels")).toBe("labels");
    for (const t of ["payments", "accounts", "listings", "checkouts"] as const)
      expect(eventSourceOf(t)).toBe("client");
  });

  it("is HMAC-SHA-256 over kind NUL identifier, base64url, behind the key id (stored pseudonyms stay valid)", () => {
    // Computed once with createHmac("sha256", DEV_ID_HASH_KEY).update("user\u0000x").digest("base64url").
    expect(new Pseudonymiser({ key: DEV_ID_HASH_KEY, keyId: "dev" }).id("user", "x")).toBe(
      "dev~cTRQ_J53u8iNE0yC43kKvCRrXtHYN1tkXPTpgnwPzgQ",
    );
  });

  it("remembers a bounded number of pseudonyms and answers the same after eviction", () => {
    const small = new Pseudonymiser({ key: KEY, keyId: "k1", cacheSize: 4 });
    const first = small.id("user", "u_0");
    for (let i = 1; i <= 10; i++) {
      small.id("user", `u_${i}`);
      expect(small.cached).toBeLessThanOrEqual(4);
    }
    expect(small.cached).toBeGreaterThan(0);
    expect(small.id("user", "u_0")).toBe(first);
    expect(small.id("user", "u_0")).toBe(p.id("user", "u_0"));
    expect(small.id("device", "u_0")).toBe(p.id("device", "u_0"));
    expect(small.cached).toBeLessThanOrEqual(4);
    const none = new Pseudonymiser({ key: KEY, keyId: "k1", cacheSize: 0 });
    expect(none.id("user", "u_0")).toBe(first);
    expect(none.cached).toBe(0);
  });

  it("keeps the same pseudonyms whatever the cache holds, and never more than its size", () => {
    const cached = new Pseudonymiser({ key: KEY, keyId: "k1", cacheSize: 64 });
    const uncached = new Pseudonymiser({ key: KEY, keyId: "k1", cacheSize: 0 });
    const kinds = ["user", "device", "payment_instrument", "listing", "host", "ip"] as const;
    // Hot identifiers between a stream of new ones: hits in both generations, promotions, evictions.
    for (let i = 0; i < 2000; i++) {
      const kind = kinds[i % kinds.length] ?? "user";
      const raw = i % 3 === 0 ? `hot_${i % 7}` : `cold_${i}`;
      expect(cached.id(kind, raw)).toBe(uncached.id(kind, raw));
      expect(cached.cached).toBeLessThanOrEqual(64);
    }
    expect(cached.cached).toBeGreaterThanOrEqual(32);
  });

  it("refuses a short key and a malformed key id", () => {
    expect(() => new Pseudonymiser({ key: "short", keyId: "k1" })).toThrow(/at least 32/);
    expect(() => new Pseudonymiser({ key: KEY, keyId: "K~1" })).toThrow(/key id/);
  });

  it("falls back to the public development key when none is configured", () => {
    const dev = pseudonymiserFor({});
    expect(dev.usingDevKey).toBe(true);
    expect(dev.pseudonymiser.id("ip", "10.0.0.1")).toBe(
      new Pseudonymiser({ key: DEV_ID_HASH_KEY, keyId: "dev" }).id("ip", "10.0.0.1"),
    );
    expect(pseudonymiserFor({ idHashKey: KEY, idHashKeyId: "k1" }).usingDevKey).toBe(false);
  });

  it("leaves no raw identifier in any event type, event ids untouched", () => {
    for (const e of events) {
      const out = p.event(e, eventSourceOf(topicForEventType(e.type)));
      expect(out.event_id).toBe(e.event_id);
      const json = JSON.stringify(out);
      for (const raw of RAW_IDS) expect(json, `${e.type} still holds ${raw}`).not.toContain(`"${raw}"`);
    }
    expect(JSON.stringify(p.checkout(checkout("c9", T0)))).not.toMatch(
      /"(u_1|d_1|pi_1|l_1|h_1|10\.0\.0\.1)"/,
    );
  });

  it("gives the features of raw identifiers, event for event", async () => {
    const features = new FeatureSet(FEATURES);
    const raw = new MemoryStore();
    const hashed = new MemoryStore();
    for (const e of events) {
      raw.applySync(update(e));
      hashed.applySync(update(p.event(e, eventSourceOf(topicForEventType(e.type)))));
    }
    for (const probe of [
      checkout("probe-1", T0),
      checkout("probe-2", T0, { user: { id: "u_2", created_at: "2025-01-01T00:00:00Z" } }),
    ]) {
      const a = await readCheckoutFeatures(raw, features, probe);
      const b = await readCheckoutFeatures(hashed, features, p.checkout(probe));
      expect(b.values).toEqual(a.values);
      expect(a.missing.length).toBeLessThan(features.names.length / 2);
    }
  });
});
