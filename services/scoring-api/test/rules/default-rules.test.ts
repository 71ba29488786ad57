import type { Checkout } from "@riskgate/feature-store/events";
import { describe, expect, it } from "vitest";
import { loadRules, RuleEngine } from "../../src/rules/index.ts";
import { checkout, DEFAULT_RULES_FILE, defaultRulesWithLists, features } from "./helpers.ts";

const engine = new RuleEngine(
  defaultRulesWithLists({
    trusted_users: ["u_trusted"],
    blocked_instruments: ["pi_bad"],
    blocked_devices: ["d_bad"],
    blocked_ips: ["203.0.113.9"],
    blocked_bins: ["666666"],
    blocked_email_domains: ["fraud.example"],
    blocked_countries: ["ZZ"],
  }),
);

interface Case {
  name: string;
  checkout?: Checkout;
  features?: Record<string, number>;
}
interface RuleCases {
  rule: string;
  action: "allow" | "review" | "block";
  shadow?: boolean;
  fires: Case[];
  doesNot: Case[];
}

const TABLE: RuleCases[] = [
  {
    rule: "R-ALLOW-TRUSTED-USER",
    action: "allow",
    fires: [
      { name: "trusted user", checkout: checkout({ user: { id: "u_trusted" } }) },
      {
        name: "trusted user beats card testing",
        checkout: checkout({ user: { id: "u_trusted" } }),
        features: features({ instrument_failed_10m: 5 }),
      },
    ],
    doesNot: [
      { name: "other user", checkout: checkout({ user: { id: "u_other" } }) },
      {
        name: "trusted user from a sanctioned IP country",
        checkout: checkout({ user: { id: "u_trusted" }, device: { ip_country: "IR" } }),
      },
    ],
  },
  {
    rule: "R-BLOCK-SANCTIONED-COUNTRY",
    action: "block",
    fires: [
      { name: "ip country", checkout: checkout({ device: { ip_country: "KP" } }) },
      { name: "billing country", checkout: checkout({ payment: { billing_country: "SY" } }) },
      { name: "card country", checkout: checkout({ payment: { country: "CU" } }) },
      {
        name: "trusted user is no bypass",
        checkout: checkout({ user: { id: "u_trusted" }, device: { ip_country: "IR" } }),
      },
    ],
    doesNot: [
      { name: "non-sanctioned countries", checkout: checkout() },
      {
        name: "countries absent",
        checkout: checkout({
          device: { ip_country: undefined },
          payment: { country: undefined, billing_country: undefined },
        }),
      },
    ],
  },
  {
    rule: "R-BLOCK-LIST-INSTRUMENT",
    action: "block",
    fires: [{ name: "listed", checkout: checkout({ payment: { instrument_id: "pi_bad" } }) }],
    doesNot: [{ name: "not listed", checkout: checkout() }],
  },
  {
    rule: "R-BLOCK-LIST-DEVICE",
    action: "block",
    fires: [{ name: "listed", checkout: checkout({ device: { id: "d_bad" } }) }],
    doesNot: [{ name: "not listed", checkout: checkout() }],
  },
  {
    rule: "R-BLOCK-LIST-IP",
    action: "block",
    fires: [{ name: "listed", checkout: checkout({ device: { ip: "203.0.113.9" } }) }],
    doesNot: [{ name: "not listed", checkout: checkout({ device: { ip: "203.0.113.10" } }) }],
  },
  {
    rule: "R-BLOCK-LIST-BIN",
    action: "block",
    fires: [
      { name: "6-digit BIN listed", checkout: checkout({ payment: { bin: "666666" } }) },
      { name: "8-digit BIN, prefix listed", checkout: checkout({ payment: { bin: "66666612" } }) },
    ],
    doesNot: [
      { name: "other BIN", checkout: checkout({ payment: { bin: "424242" } }) },
      { name: "no BIN", checkout: checkout({ payment: { bin: undefined } }) },
    ],
  },
  {
    rule: "R-BLOCK-LIST-EMAIL-DOMAIN",
    action: "block",
    fires: [
      { name: "listed", checkout: checkout({ user: { email_domain: "fraud.example" } }) },
      { name: "listed, upper case", checkout: checkout({ user: { email_domain: "FRAUD.Example" } }) },
    ],
    doesNot: [
      { name: "other domain", checkout: checkout() },
      { name: "no domain", checkout: checkout({ user: { email_domain: undefined } }) },
    ],
  },
  {
    rule: "R-BLOCK-LIST-COUNTRY",
    action: "block",
    fires: [{ name: "ip country listed", checkout: checkout({ device: { ip_country: "ZZ" } }) }],
    doesNot: [{ name: "not listed", checkout: checkout() }],
  },
  {
    rule: "R-BLOCK-FRAUD-HISTORY",
    action: "block",
    fires: [
      { name: "user fraud label", features: features({ user_fraud_labels: 1 }) },
      { name: "instrument chargeback", features: features({ instrument_chargebacks: 2 }) },
    ],
    doesNot: [{ name: "clean history", features: features({ user_legit_labels: 3 }) }],
  },
  {
    rule: "R-BLOCK-CARD-TESTING",
    action: "block",
    fires: [{ name: "3 failures in 10 min", features: features({ instrument_failed_10m: 3 }) }],
    doesNot: [{ name: "2 failures in 10 min", features: features({ instrument_failed_10m: 2 }) }],
  },
  {
    rule: "R-BLOCK-CARD-TESTING-STRICT",
    action: "block",
    shadow: true,
    fires: [
      { name: "2 failures in 10 min", features: features({ instrument_failed_10m: 2 }) },
      { name: "4 user failures in 1 h", features: features({ user_failed_payments_1h: 4 }) },
    ],
    doesNot: [
      { name: "1 failure", features: features({ instrument_failed_10m: 1, user_failed_payments_1h: 1 }) },
    ],
  },
  {
    rule: "R-REVIEW-INSTRUMENT-FAILURES-1H",
    action: "review",
    fires: [{ name: "5 failures in 1 h", features: features({ instrument_failed_1h: 5 }) }],
    doesNot: [{ name: "4 failures in 1 h", features: features({ instrument_failed_1h: 4 }) }],
  },
  {
    rule: "R-REVIEW-DEVICE-MANY-ACCOUNTS",
    action: "review",
    fires: [{ name: "4 accounts", features: features({ device_distinct_users_24h: 4 }) }],
    doesNot: [{ name: "2 accounts", features: features({ device_distinct_users_24h: 2 }) }],
  },
  {
    rule: "R-REVIEW-INSTRUMENT-MANY-ACCOUNTS",
    action: "review",
    fires: [{ name: "3 accounts", features: features({ instrument_distinct_users_7d: 3 }) }],
    doesNot: [{ name: "1 account", features: features({ instrument_distinct_users_7d: 1 }) }],
  },
  {
    rule: "R-REVIEW-ACCOUNT-TAKEOVER",
    action: "review",
    fires: [
      {
        name: "password reset 2 h ago, new device, EUR 800",
        features: features({
          user_hours_since_password_reset: 2,
          new_device_for_user: 1,
          booking_amount_eur: 800,
        }),
      },
      {
        name: "password reset 1 h ago, device added 30 min ago (no longer new), EUR 900",
        features: features({
          user_hours_since_password_reset: 1,
          user_hours_since_device_added: 0.5,
          new_device_for_user: 0,
          booking_amount_eur: 900,
        }),
      },
      {
        name: "email change 10 h ago, new device, EUR 500",
        features: features({
          user_hours_since_email_change: 10,
          new_device_for_user: 1,
          booking_amount_eur: 500,
        }),
      },
    ],
    doesNot: [
      {
        name: "known device, added weeks ago",
        features: features({
          user_hours_since_password_reset: 2,
          user_hours_since_device_added: 500,
          new_device_for_user: 0,
          booking_amount_eur: 800,
        }),
      },
      {
        name: "small amount",
        features: features({
          user_hours_since_password_reset: 2,
          new_device_for_user: 1,
          booking_amount_eur: 120,
        }),
      },
      {
        name: "reset 3 days ago",
        features: features({
          user_hours_since_password_reset: 72,
          new_device_for_user: 1,
          booking_amount_eur: 800,
        }),
      },
    ],
  },
  {
    rule: "R-REVIEW-NEW-ACCOUNT-LARGE-BOOKING",
    action: "review",
    fires: [
      {
        name: "account 2 h old, EUR 1,200",
        features: features({ account_age_days: 0.1, booking_amount_eur: 1200 }),
      },
    ],
    doesNot: [
      { name: "account 3 days old", features: features({ account_age_days: 3, booking_amount_eur: 1200 }) },
      { name: "EUR 900", features: features({ account_age_days: 0.1, booking_amount_eur: 900 }) },
    ],
  },
  {
    rule: "R-REVIEW-FOREIGN-NEW-CARD-LARGE-BOOKING",
    action: "review",
    fires: [
      {
        name: "foreign card first seen today, EUR 1,500",
        features: features({
          ip_country_ne_card_country: 1,
          instrument_days_since_first_seen: 0,
          booking_amount_eur: 1500,
        }),
      },
    ],
    doesNot: [
      {
        name: "card known for 40 days",
        features: features({
          ip_country_ne_card_country: 1,
          instrument_days_since_first_seen: 40,
          booking_amount_eur: 1500,
        }),
      },
      {
        name: "card and IP in one country",
        features: features({
          ip_country_ne_card_country: 0,
          instrument_days_since_first_seen: 0,
          booking_amount_eur: 1500,
        }),
      },
    ],
  },
  {
    rule: "R-REVIEW-REPEATED-DECLINES",
    action: "review",
    fires: [{ name: "2 user failures in 1 h", features: features({ user_failed_payments_1h: 2 }) }],
    doesNot: [{ name: "1 user failure in 1 h", features: features({ user_failed_payments_1h: 1 }) }],
  },
  {
    rule: "R-REVIEW-DISPOSABLE-EMAIL",
    action: "review",
    fires: [
      {
        name: "disposable domain, EUR 600",
        features: features({ email_domain_disposable: 1, booking_amount_eur: 600 }),
      },
    ],
    doesNot: [
      { name: "EUR 200", features: features({ email_domain_disposable: 1, booking_amount_eur: 200 }) },
      { name: "regular domain", features: features({ email_domain_disposable: 0, booking_amount_eur: 600 }) },
    ],
  },
  {
    rule: "R-REVIEW-OFF-PLATFORM-CONTACT",
    action: "review",
    fires: [{ name: "contact + link", features: features({ msg_off_platform_contact: 1, msg_has_link: 1 }) }],
    doesNot: [
      { name: "contact only", features: features({ msg_off_platform_contact: 1, msg_has_link: 0 }) },
      { name: "link only", features: features({ msg_off_platform_contact: 0, msg_has_link: 1 }) },
    ],
  },
];

describe("default rules", () => {
  it("load from the shipped file, every rule covered by this table", async () => {
    const set = await loadRules(DEFAULT_RULES_FILE);
    expect(set.version).toMatch(/\S/);
    expect(set.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(set.rules.map((r) => r.id).sort()).toEqual(TABLE.map((t) => t.rule).sort());
    expect(set.rules.some((r) => r.status === "shadow")).toBe(true);
  });

  it("a clean checkout fires nothing and decides nothing", () => {
    const out = engine.evaluate({ features: features(), checkout: checkout() });
    expect(out).toEqual({ action: undefined, fired: [], decidingRule: undefined, errors: [] });
  });

  for (const t of TABLE) {
    describe(t.rule, () => {
      for (const c of t.fires) {
        it(`fires: ${c.name}`, () => {
          const out = engine.evaluate({
            features: c.features ?? features(),
            checkout: c.checkout ?? checkout(),
          });
          expect(out.errors).toEqual([]);
          const hit = out.fired.find((f) => f.id === t.rule);
          expect(hit).toMatchObject({ action: t.action, shadow: t.shadow ?? false });
          expect(hit?.detail).not.toMatch(/[{}]/);
          if (t.shadow) {
            expect(out.decidingRule).not.toBe(t.rule);
          } else {
            // The rule's own action decides unless a stronger group (allow, then block) also matched.
            expect(out.action).toBe(t.action);
          }
        });
      }
      for (const c of t.doesNot) {
        it(`does not fire: ${c.name}`, () => {
          const out = engine.evaluate({
            features: c.features ?? features(),
            checkout: c.checkout ?? checkout(),
          });
          expect(out.errors).toEqual([]);
          expect(out.fired.map((f) => f.id)).not.toContain(t.rule);
        });
      }
    });
  }

  it("reasons carry the code and a rendered detail", () => {
    const out = engine.evaluate({ features: features({ instrument_failed_10m: 4 }), checkout: checkout() });
    expect(out.fired[0]).toEqual({
      id: "R-BLOCK-CARD-TESTING",
      action: "block",
      shadow: false,
      code: "card_testing",
      detail: "4 failed payments with this instrument in 10 minutes",
    });
    expect(out.fired[1]).toMatchObject({ id: "R-BLOCK-CARD-TESTING-STRICT", shadow: true });
    expect(out.decidingRule).toBe("R-BLOCK-CARD-TESTING");
  });
});
