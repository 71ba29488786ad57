import { DAY_MS, type Generated, generate, readJsonl } from "@riskgate/test-support/simulated-world";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON lines
type Json = any;

const HOUR_MS = 3_600_000;
let g: Generated;
let checkouts: Json[];
let fraudById: Map<string, string | null>;
let accounts: Json[];
let payments: Json[];
let listings: Json[];
let startMs: number;

beforeAll(async () => {
  g = await generate({ seed: 11, days: 20, checkoutsPerDay: 1000, validate: false });
  checkouts = await readJsonl(g.dir, "checkouts");
  fraudById = new Map(
    (await readJsonl(g.dir, "truth")).filter((t) => t.fraud).map((t) => [t.checkout_event_id, t.pattern]),
  );
  accounts = await readJsonl(g.dir, "accounts");
  payments = await readJsonl(g.dir, "payments");
  listings = await readJsonl(g.dir, "listings");
  startMs = Date.parse(g.summary.start);
});
afterAll(() => g?.cleanup());

const isFraud = (c: Json) => fraudById.has(c.event_id);
const t = (e: Json) => Date.parse(e.occurred_at);

/** Per user, the times of their logins (sorted, as the file is). */
function loginTimes(): Map<string, number[]> {
  const byUser = new Map<string, number[]>();
  for (const a of accounts) {
    if (a.type !== "login") continue;
    const list = byUser.get(a.user_id) ?? [];
    list.push(t(a));
    byUser.set(a.user_id, list);
  }
  return byUser;
}

function loggedInWithinHour(logins: Map<string, number[]>, c: Json): boolean {
  const at = t(c);
  return (logins.get(c.user.id) ?? []).some((l) => l <= at && at - l <= HOUR_MS);
}

describe("sessions are decoupled from checkouts", () => {
  it("a realistic share of legit checkouts (35–60 %) has no login by the user in the hour before", () => {
    const logins = loginTimes();
    const legit = checkouts.filter((c) => !isFraud(c));
    const share = legit.filter((c) => !loggedInWithinHour(logins, c)).length / legit.length;
    expect(share).toBeGreaterThan(0.35);
    expect(share).toBeLessThan(0.6);
  });

  it("fraudsters log in first too: most fraud checkouts have a login in the hour before", () => {
    const logins = loginTimes();
    const fraud = checkouts.filter(isFraud);
    expect(fraud.filter((c) => loggedInWithinHour(logins, c)).length / fraud.length).toBeGreaterThan(0.5);
  });

  it("some legit checkouts come from another address than the login minutes before", () => {
    const lastLoginIp = new Map<string, { at: number; ip: string }>();
    let other = 0;
    const events = [...accounts.filter((a) => a.type === "login"), ...checkouts].sort((a, b) => t(a) - t(b));
    for (const e of events) {
      if (e.type === "login") lastLoginIp.set(e.user_id, { at: t(e), ip: e.ip });
      else if (!isFraud(e)) {
        const last = lastLoginIp.get(e.user.id);
        if (last && t(e) - last.at <= HOUR_MS && last.ip !== e.device.ip) other++;
      }
    }
    expect(other / checkouts.length).toBeGreaterThan(0.05);
  });
});

describe("the world has a past", () => {
  it("accounts, listings and instruments were active long before the window", () => {
    const signups = accounts.filter((a) => a.type === "signup" && t(a) < startMs - 365 * DAY_MS);
    expect(signups.length).toBeGreaterThan(1000);
    const oldListings = listings.filter((l) => l.type === "listing_created" && t(l) < startMs - 365 * DAY_MS);
    expect(oldListings.length).toBeGreaterThan(200);
    const pastPayments = payments.filter((p) => t(p) < startMs);
    expect(pastPayments.length).toBeGreaterThan(5000);
  });

  it("most legit checkouts are by users first seen months before the window", () => {
    const firstSeen = new Map<string, number>();
    for (const a of accounts) if (!firstSeen.has(a.user_id)) firstSeen.set(a.user_id, t(a));
    const legit = checkouts.filter((c) => !isFraud(c));
    const old = legit.filter((c) => (firstSeen.get(c.user.id) ?? t(c)) < startMs - 90 * DAY_MS).length;
    expect(old / legit.length).toBeGreaterThan(0.6);
  });

  it("every account's signup matches the created_at its checkouts carry", () => {
    const signupAt = new Map(
      accounts.filter((a) => a.type === "signup").map((a) => [a.user_id, a.occurred_at]),
    );
    const missing = checkouts.filter((c) => signupAt.get(c.user.id) !== c.user.created_at);
    expect(missing.length / checkouts.length).toBeLessThan(0.02);
  });
});

describe("shared and hot entities", () => {
  it("carrier NAT addresses carry many users a day", () => {
    const usersByIpDay = new Map<string, Set<string>>();
    for (const a of accounts) {
      if (!a.ip || t(a) < startMs) continue;
      const key = `${a.ip}/${Math.floor(t(a) / DAY_MS)}`;
      const set = usersByIpDay.get(key) ?? new Set();
      set.add(a.user_id);
      usersByIpDay.set(key, set);
    }
    const sizes = [...usersByIpDay.values()].map((s) => s.size).sort((a, b) => b - a);
    // At 1,000 checkouts a day; the NAT pools are per country, so users per address grow with volume.
    expect(sizes[0]).toBeGreaterThan(25);
    expect(sizes.filter((n) => n >= 15).length).toBeGreaterThan(20);
  });

  it("a quarter of bookings go to a few popular listings, and some hosts run dozens of listings", () => {
    const perListing = new Map<string, number>();
    for (const c of checkouts) perListing.set(c.listing.id, (perListing.get(c.listing.id) ?? 0) + 1);
    const counts = [...perListing.values()].sort((a, b) => b - a);
    const top = counts.slice(0, Math.ceil(listings.length / 50)).reduce((a, b) => a + b, 0);
    expect(top / checkouts.length).toBeGreaterThan(0.2);
    const perHost = new Map<string, number>();
    for (const l of listings)
      if (l.type === "listing_created") perHost.set(l.host_id, (perHost.get(l.host_id) ?? 0) + 1);
    expect(Math.max(...perHost.values())).toBeGreaterThanOrEqual(20);
  });
});

describe("fraud infrastructure and victims", () => {
  const reusedAcrossUsers = (key: (c: Json) => string) => {
    const users = new Map<string, Set<string>>();
    for (const c of checkouts.filter(isFraud)) {
      const set = users.get(key(c)) ?? new Set();
      set.add(c.user.id);
      users.set(key(c), set);
    }
    return [...users.values()].filter((s) => s.size > 1).length;
  };

  it("devices, IPs and cards come back across fraud attempts by different accounts", () => {
    expect(reusedAcrossUsers((c) => c.device.id)).toBeGreaterThan(3);
    expect(reusedAcrossUsers((c) => c.device.ip)).toBeGreaterThan(3);
    expect(reusedAcrossUsers((c) => c.payment.instrument_id)).toBeGreaterThan(0);
  });

  it("takeover victims win their account back and book again", () => {
    const victims = new Map<string, number>();
    for (const c of checkouts)
      if (fraudById.get(c.event_id) === "account_takeover") victims.set(c.user.id, t(c));
    const back = checkouts.filter((c) => !isFraud(c) && (victims.get(c.user.id) ?? Infinity) < t(c));
    expect(back.length).toBeGreaterThan(0);
    // Recovery comes 1–20 days later, so victims of the last weeks are still locked out at the end.
    expect(g.summary.other.recovered_takeover_victims).toBeGreaterThan(victims.size / 5);
  });

  it("failed payments carry issuer decline codes, legit and fraud alike", () => {
    const codes = new Set(payments.filter((p) => p.status === "failed").map((p) => p.failure_code));
    expect(codes.size).toBeGreaterThanOrEqual(6);
    expect(payments.filter((p) => p.status === "failed" && !p.failure_code)).toEqual([]);
  });
});
