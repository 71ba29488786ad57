import { DAY_MS, type Generated, generate, readJsonl } from "@riskgate/test-support/simulated-world";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON lines
type Json = any;

let g: Generated;
let checkouts: Json[];
let truth: Map<string, { fraud: boolean; pattern: string | null }>;
let labels: Json[];
let payments: Json[];
let accounts: Json[];

beforeAll(async () => {
  g = await generate({ seed: 3, days: 20, checkoutsPerDay: 1000, validate: false });
  checkouts = await readJsonl(g.dir, "checkouts");
  truth = new Map((await readJsonl(g.dir, "truth")).map((t) => [t.checkout_event_id, t]));
  labels = await readJsonl(g.dir, "labels");
  payments = await readJsonl(g.dir, "payments");
  accounts = await readJsonl(g.dir, "accounts");
});
afterAll(() => g?.cleanup());

const isFraud = (c: Json) => truth.get(c.event_id)?.fraud === true;
const patternOf = (c: Json) => truth.get(c.event_id)?.pattern ?? null;

describe("fraud base rate and patterns", () => {
  it("keeps fraud between 0.3 % and 1 % of checkouts", () => {
    const rate = checkouts.filter(isFraud).length / checkouts.length;
    expect(checkouts.length).toBeGreaterThan(15_000);
    expect(rate).toBeGreaterThanOrEqual(0.003);
    expect(rate).toBeLessThanOrEqual(0.01);
    expect(g.summary.fraud_rate).toBeCloseTo(rate, 6);
  });

  it("contains every pattern, in both the early and the adapted form", () => {
    const counts = new Map<string | null, number>();
    for (const c of checkouts) if (isFraud(c)) counts.set(patternOf(c), (counts.get(patternOf(c)) ?? 0) + 1);
    for (const p of ["card_testing", "stolen_card", "account_takeover", "host_ring"]) {
      expect(counts.get(p), p).toBeGreaterThan(0);
      expect(g.summary.patterns[p]).toBe(counts.get(p));
      expect(g.summary.drifted[p], `${p} drifted`).toBeGreaterThan(0);
    }
  });
});

describe("labels", () => {
  it("never label before the checkout, and chargebacks of fraud come 10–60 days later", () => {
    const byId = new Map(checkouts.map((c) => [c.event_id, c]));
    for (const l of labels) {
      const c = byId.get(l.checkout_event_id);
      expect(c, l.event_id).toBeDefined();
      const delay = Date.parse(l.occurred_at) - Date.parse(c.occurred_at);
      expect(delay).toBeGreaterThan(0);
      if (l.type === "chargeback") {
        expect(delay).toBeGreaterThanOrEqual(10 * DAY_MS);
        expect(delay).toBeLessThanOrEqual(60 * DAY_MS);
        expect(l.user_id).toBe(c.user.id);
        expect(l.payment_instrument_id).toBe(c.payment.instrument_id);
      }
    }
  });

  it("charge back most but not all frauds; a few legit checkouts too; reviews mostly legit", () => {
    const frauds = checkouts.filter(isFraud);
    const chargedBack = new Set(
      labels.filter((l) => l.type === "chargeback").map((l) => l.checkout_event_id),
    );
    const share = frauds.filter((c) => chargedBack.has(c.event_id)).length / frauds.length;
    expect(share).toBeGreaterThan(0.75);
    expect(share).toBeLessThan(0.97);
    const friendly = [...chargedBack].filter((id) => truth.get(id)?.fraud === false).length;
    expect(friendly).toBeGreaterThan(0);
    expect(friendly).toBeLessThan(frauds.length / 2);
    const reviews = labels.filter((l) => l.type === "review_outcome");
    expect(reviews.filter((l) => l.label === "legit").length).toBeGreaterThan(reviews.length / 2);
  });

  it("keeps emitting labels after the last simulated day", () => {
    const end = Date.parse(g.summary.end);
    expect(labels.some((l) => Date.parse(l.occurred_at) > end + 30 * DAY_MS)).toBe(true);
    expect(checkouts.every((c) => Date.parse(c.occurred_at) < end + DAY_MS)).toBe(true);
  });
});

describe("legitimate look-alikes", () => {
  const legit = () => checkouts.filter((c) => !isFraud(c));

  it("has legit checkouts with IP country different from card country", () => {
    const n = legit().filter((c) => c.device.ip_country !== c.payment.country).length;
    expect(n / legit().length).toBeGreaterThan(0.03);
  });

  it("has brand-new users booking legitimately", () => {
    const n = legit().filter(
      (c) => Date.parse(c.occurred_at) - Date.parse(c.user.created_at) < DAY_MS,
    ).length;
    expect(n).toBeGreaterThan(100);
  });

  it("has legit messages mentioning WhatsApp or a phone number", () => {
    const n = legit().filter((c) => /whatsapp|\+\d/i.test(c.message.text ?? "")).length;
    expect(n).toBeGreaterThan(10);
  });

  it("has legit users sharing a device", () => {
    const usersByDevice = new Map<string, Set<string>>();
    for (const c of legit()) {
      const set = usersByDevice.get(c.device.id) ?? new Set();
      set.add(c.user.id);
      usersByDevice.set(c.device.id, set);
    }
    expect([...usersByDevice.values()].filter((s) => s.size > 1).length).toBeGreaterThan(5);
  });

  it("has legit failed payments", () => {
    const legitUsers = new Set(legit().map((c) => c.user.id));
    expect(payments.filter((p) => p.status === "failed" && legitUsers.has(p.user_id)).length).toBeGreaterThan(
      50,
    );
  });
});

describe("pattern traces", () => {
  const before = (e: Json, c: Json, withinMs: number) => {
    const d = Date.parse(c.occurred_at) - Date.parse(e.occurred_at);
    return d > 0 && d <= withinMs;
  };

  it("card testing: failed small attempts on the card before the checkout", () => {
    const tested = checkouts.filter((c) => patternOf(c) === "card_testing");
    for (const c of tested) {
      const fails = payments.filter(
        (p) =>
          p.payment_instrument_id === c.payment.instrument_id &&
          p.status === "failed" &&
          before(p, c, DAY_MS),
      );
      expect(fails.length, c.event_id).toBeGreaterThanOrEqual(1);
      for (const p of fails) expect(p.amount).toBeLessThan(6);
    }
  });

  it("account takeover: the device was added to the account before the booking", () => {
    for (const c of checkouts.filter((x) => patternOf(x) === "account_takeover")) {
      const added = accounts.find(
        (a) => a.type === "device_added" && a.user_id === c.user.id && a.device_id === c.device.id,
      );
      expect(added, c.event_id).toBeDefined();
      expect(Date.parse(added.occurred_at)).toBeLessThan(Date.parse(c.occurred_at));
      expect(Date.parse(c.user.created_at)).toBeLessThan(Date.parse(c.occurred_at) - 90 * DAY_MS);
    }
  });

  it("host rings: several accounts share a device and book the same host", () => {
    const ring = checkouts.filter((c) => patternOf(c) === "host_ring");
    const usersByDevice = new Map<string, Set<string>>();
    for (const c of ring) {
      const set = usersByDevice.get(c.device.id) ?? new Set();
      set.add(c.user.id);
      usersByDevice.set(c.device.id, set);
    }
    expect(Math.max(...[...usersByDevice.values()].map((s) => s.size))).toBeGreaterThan(1);
    expect(
      ring.filter((c) => /whatsapp|wire|telegram|t\.me|iban/i.test(c.message.text ?? "")).length,
    ).toBeGreaterThan(0);
  });

  it("stolen card: the card never paid a legit booking before and is mostly used from another country", () => {
    const stolen = checkouts.filter((c) => patternOf(c) === "stolen_card");
    const seenBefore = (c: Json) =>
      checkouts.some(
        (o) =>
          !isFraud(o) && o.payment.instrument_id === c.payment.instrument_id && o.occurred_at < c.occurred_at,
      );
    expect(stolen.filter(seenBefore)).toEqual([]);
    const mismatch = stolen.filter((c) => c.device.ip_country !== c.payment.country).length;
    expect(mismatch / stolen.length).toBeGreaterThan(0.5);
  });
});
