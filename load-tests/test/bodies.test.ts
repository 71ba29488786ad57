import { decodeCheckout } from "@riskgate/feature-store/events";
import { describe, expect, it } from "vitest";
import { BodyFactory, type WorldTemplates } from "../src/bodies.ts";

const checkout = (id: string, user: string, card: string) => ({
  event_id: id,
  occurred_at: "2026-01-05T00:03:05.347Z",
  user: { id: user, created_at: "2025-10-19T14:18:15.921Z", email_domain: "yahoo.com", email_verified: true },
  device: { id: `d_${user}`, ip: "203.201.36.253", ip_country: "AU", user_agent: "Mozilla/5.0" },
  payment: { instrument_id: card, type: "card", bin: "561683", country: "AU", billing_country: "AU" },
  listing: { id: "l_003084", host_id: "h_001927", country: "MX" },
  booking: { amount: 114, currency: "EUR", nights: 2, checkin_at: "2026-01-20T15:00:00.000Z" },
  message: {},
});
const templates: WorldTemplates = {
  legit: Array.from({ length: 50 }, (_, i) => checkout(`evt_${i}`, `u_${i}`, `pi_${i}`)),
  fraud: [checkout("evt_f", "u_f", "pi_f")],
};
const NOW = Date.parse("2026-11-29T12:00:00.000Z");

describe("BodyFactory", () => {
  it("gives every body a fresh event id and valid checkout contract, moved to now", () => {
    const f = new BodyFactory(templates, "r1", () => NOW);
    const bodies = Array.from({ length: 500 }, () => JSON.parse(f.next()));
    expect(new Set(bodies.map((b) => b.event_id)).size).toBe(500);
    for (const b of bodies) expect(() => decodeCheckout(b)).not.toThrow();
    const b = bodies[0];
    expect(b.occurred_at).toBe(new Date(NOW).toISOString());
    // The lead time to check-in and the account age are kept.
    expect(Date.parse(b.booking.checkin_at) - NOW).toBe(
      Date.parse("2026-01-20T15:00:00.000Z") - Date.parse("2026-01-05T00:03:05.347Z"),
    );
    expect(NOW - Date.parse(b.user.created_at)).toBe(
      Date.parse("2026-01-05T00:03:05.347Z") - Date.parse("2025-10-19T14:18:15.921Z"),
    );
  });

  it("spreads normal traffic over many users and cards, with a few hot listings and shared IPs", () => {
    const f = new BodyFactory(templates, "r2", () => NOW);
    const bodies = Array.from({ length: 2000 }, () => JSON.parse(f.next()));
    expect(new Set(bodies.map((b) => b.payment.instrument_id)).size).toBeGreaterThan(40);
    const hotListings = bodies.filter((b) => b.listing.id.startsWith("l_hot_")).length;
    expect(hotListings / bodies.length).toBeGreaterThan(0.04);
    expect(hotListings / bodies.length).toBeLessThan(0.15);
    expect(bodies.some((b) => b.device.ip.startsWith("192.0.2."))).toBe(true);
    expect(bodies.some((b) => b.payment.instrument_id === "pi_f")).toBe(true);
  });

  it("sends the hot share on one card and one IP", () => {
    const f = new BodyFactory(templates, "r3", () => NOW);
    const bodies = Array.from({ length: 2000 }, () => JSON.parse(f.next({ hotShare: 0.5 })));
    const hot = bodies.filter((b) => b.payment.instrument_id === "pi_hot_r3");
    expect(hot.length / bodies.length).toBeGreaterThan(0.45);
    expect(hot.length / bodies.length).toBeLessThan(0.55);
    expect(new Set(hot.map((b) => b.device.ip))).toEqual(new Set(["198.51.100.77"]));
  });

  it("flagged traffic is all new unverified accounts paying a lot", () => {
    const f = new BodyFactory(templates, "r4", () => NOW);
    for (let i = 0; i < 100; i++) {
      const b = JSON.parse(f.next({ flagged: true }));
      expect(NOW - Date.parse(b.user.created_at)).toBeLessThan(3_600_000);
      expect(b.user.email_verified).toBe(false);
      expect(b.booking.amount).toBeGreaterThanOrEqual(1500);
    }
  });
});
