// Issue 13's behaviour targets over HTTP on the embedded default (memory store, the shipped
// champion, the default rules): events go in through POST /v1/events as a producer would send them.
import { type ApiHarness, bearer, scoreOk, startApi, TOKENS } from "@riskgate/test-support/api-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const NOW = Date.parse("2026-11-29T18:00:00Z");
const at = (minutesBefore: number) => new Date(NOW - minutesBefore * 60_000).toISOString();

let api: ApiHarness;
beforeAll(async () => {
  api = await startApi({ now: () => NOW });
});
afterAll(async () => {
  await api.close();
});

async function send(event: Record<string, unknown>) {
  const res = await api.app.inject({
    method: "POST",
    url: "/v1/events",
    headers: bearer(TOKENS.all),
    payload: event,
  });
  expect(res.statusCode, res.body).toBe(202);
}

async function score(
  body: Record<string, unknown>,
): Promise<{ decision: string; mode: string; reasons: { code: string }[] }> {
  return scoreOk(api, body);
}

function checkout(id: string, user: string, fields: Record<string, unknown>) {
  const base = {
    event_id: id,
    occurred_at: at(0),
    user: { id: user, created_at: "2023-03-01T09:00:00Z", email_domain: "example.com", email_verified: true },
    device: { id: `${user}-phone`, ip: "203.0.113.7", ip_country: "PT" },
    payment: {
      instrument_id: `${user}-card`,
      type: "card",
      bin: "424242",
      country: "PT",
      billing_country: "PT",
    },
    listing: { id: "l-lisbon", host_id: "h-lisbon", country: "PT" },
    booking: { amount: 310, currency: "EUR", nights: 3, checkin_at: "2026-12-20T15:00:00Z" },
    message: { text: "Looking forward to it" },
  };
  return { ...base, ...fields };
}

const payment = (id: string, user: string, minutesBefore: number, status: "succeeded" | "failed") => ({
  type: "payment_attempt",
  event_id: id,
  occurred_at: at(minutesBefore),
  user_id: user,
  payment_instrument_id: `${user}-card`,
  device_id: `${user}-phone`,
  amount: status === "failed" ? 1 : 240,
  currency: "EUR",
  status,
  ...(status === "failed" ? { failure_code: "insufficient_funds" } : {}),
});

describe("decisions a fraud team can trust (embedded default, shipped champion)", () => {
  it("allows a returning customer with a clean history and no recent login", async () => {
    // Six successful payments on the same card and phone over five months, oldest first (the store
    // refuses events older than its horizon behind an entity's newest state); no login event at all.
    for (let m = 5; m >= 0; m--) await send(payment(`ret-p${m}`, "ret", (m * 30 + 7) * 24 * 60, "succeeded"));
    const res = await score(checkout("ret-co", "ret", {}));
    expect(res.mode).toBe("normal");
    expect(res.decision).toBe("allow");
  });

  it("does not allow a card-testing burst on one card, and says why", async () => {
    for (let i = 0; i < 12; i++) await send(payment(`ct-p${i}`, "ct", 20 - i, "failed"));
    const res = await score(
      checkout("ct-co", "ct", {
        user: { id: "ct", created_at: at(25), email_domain: "example.com", email_verified: false },
        device: { id: "ct-phone", ip: "198.51.100.9", ip_country: "RO" },
        payment: {
          instrument_id: "ct-card",
          type: "card",
          bin: "424242",
          country: "US",
          billing_country: "US",
        },
        booking: { amount: 40, currency: "EUR", nights: 1, checkin_at: "2026-12-02T15:00:00Z" },
      }),
    );
    expect(res.decision).not.toBe("allow");
    expect(res.reasons.length).toBeGreaterThan(0);
  });

  // Twelve new accounts book small stays one after another (EUR 15-26), sharing what `shared` sets,
  // on an API whose review budget is spent (capacity 0: an attacker can spend it on purpose with a
  // flood of review-worthy checkouts first).
  async function manyAccounts(prefix: string, shared: Record<string, unknown>) {
    const spent = await startApi({ now: () => NOW, env: { REVIEW_CAPACITY_PER_DAY: "0" } });
    try {
      const decisions: { decision: string; codes: string[]; overflow?: string }[] = [];
      for (let i = 0; i < 12; i++) {
        const user = `${prefix}-${i}`;
        const res: { decision: string; reasons: { code: string; detail: string }[] } = await scoreOk(
          spent,
          checkout(`${prefix}-co${i}`, user, {
            occurred_at: at(12 - i),
            user: {
              id: user,
              created_at: at(60 * 24 * 3),
              email_domain: "example.com",
              email_verified: true,
            },
            booking: { amount: 15 + i, currency: "EUR", nights: 1, checkin_at: "2026-12-20T15:00:00Z" },
            ...shared,
          }),
        );
        const overflow = res.reasons.find((r) => r.code === "REVIEW_CAPACITY_SPENT")?.detail;
        decisions.push({
          decision: res.decision,
          codes: res.reasons.map((r) => r.code),
          ...(overflow ? { overflow } : {}),
        });
      }
      return decisions;
    } finally {
      await spent.close();
    }
  }

  // Ranked by the model's expected loss, each of these overflowing reviews was an allow (EUR 15-26 at
  // a low score: the simulated worlds never put more than 5 accounts on a card or 6 on a device in a
  // day, and the trees do not extrapolate). The review rule's `overflow: block` blocks them; from ten
  // accounts a block rule stops them before any review is asked.
  const MANY_ACCOUNTS = [
    {
      what: "one card paying for many accounts", // a stolen card passed around, or cards tested across accounts
      prefix: "shared",
      shared: {
        payment: {
          instrument_id: "shared-card",
          type: "card",
          bin: "424242",
          country: "PT",
          billing_country: "PT",
        },
      },
      reviewFrom: 3, // instrument_distinct_users_7d >= 3
      review: ["instrument_many_accounts", "R-REVIEW-INSTRUMENT-MANY-ACCOUNTS"],
      block: "card_shared_by_many_accounts",
    },
    {
      what: "account farming on one device", // new accounts, each with a card of its own, on one rig
      prefix: "farm",
      shared: { device: { id: "farm-rig", ip: "203.0.113.7", ip_country: "PT" } },
      reviewFrom: 4, // device_distinct_users_24h >= 4
      review: ["device_many_accounts", "R-REVIEW-DEVICE-MANY-ACCOUNTS"],
      block: "device_shared_by_many_accounts",
    },
  ] as const;

  for (const c of MANY_ACCOUNTS) {
    it(`blocks ${c.what} once the day's reviews are spent, not allows it as low-loss overflow`, async () => {
      const decisions = await manyAccounts(c.prefix, c.shared);
      const [code, rule] = c.review;
      // up to the tenth account, a review rule fires and overflows
      for (const d of decisions.slice(c.reviewFrom, 10)) {
        expect(d.decision).toBe("block");
        expect(d.codes).toContain(code);
        expect(d.overflow).toContain(`${rule} blocks`);
      }
      // the 11th and 12th see 10 and 11 other accounts in 24 hours: blocked before a review is asked
      for (const d of decisions.slice(10)) {
        expect(d.decision).toBe("block");
        expect(d.codes).toContain(c.block);
        expect(d.overflow).toBeUndefined();
      }
    });
  }

  it("blocks a user cycling through cards once the day's reviews are spent, and reviews it while they last", async () => {
    // One account tries a different card every few minutes, each declined once (so no card's own
    // failure count builds up), then books a small stay on yet another card. Two declines in an hour
    // is R-REVIEW-REPEATED-DECLINES; with the budget spent the model's score (barely moved by ten
    // declines) would make the EUR 20 overflow an allow; the rule's `overflow: block` blocks it.
    const spent = await startApi({ now: () => NOW, env: { REVIEW_CAPACITY_PER_DAY: "0" } });
    const declinesThenCheckout = async (target: ApiHarness, user: string, declines: number) => {
      for (let i = 0; i < declines; i++) {
        const res = await target.app.inject({
          method: "POST",
          url: "/v1/events",
          headers: bearer(TOKENS.all),
          payload: {
            ...payment(`${user}-p${i}`, user, 40 - 3 * i, "failed"),
            payment_instrument_id: `${user}-card${i}`,
          },
        });
        expect(res.statusCode, res.body).toBe(202);
      }
      const res: { decision: string; reasons: { code: string }[] } = await scoreOk(
        target,
        checkout(`${user}-co`, user, {
          user: { id: user, created_at: at(60 * 24 * 3), email_domain: "example.com", email_verified: true },
          booking: { amount: 20, currency: "EUR", nights: 1, checkin_at: "2026-12-20T15:00:00Z" },
        }),
      );
      return { decision: res.decision, codes: res.reasons.map((r) => r.code) };
    };
    try {
      for (const declines of [2, 10]) {
        const res = await declinesThenCheckout(spent, `cycle-${declines}`, declines);
        expect(res.decision).toBe("block");
        expect(res.codes).toEqual(expect.arrayContaining(["repeated_declines", "REVIEW_CAPACITY_SPENT"]));
      }
      // with reviews to spend, the same checkout is a review, not a block
      const budget = await declinesThenCheckout(api, "cycle-budget", 3);
      expect(budget.decision).toBe("review");
      expect(budget.codes).toContain("repeated_declines");
    } finally {
      await spent.close();
    }
  });

  it("does not allow a fresh takeover: reset, email change, new device, a large booking abroad", async () => {
    for (let m = 5; m >= 0; m--) await send(payment(`ato-p${m}`, "ato", (m * 30 + 7) * 24 * 60, "succeeded"));
    const account = { user_id: "ato", device_id: "ato-new-laptop", ip: "198.51.100.77" };
    await send({ type: "password_reset", event_id: "ato-1", occurred_at: at(30), ...account });
    await send({ type: "email_change", event_id: "ato-2", occurred_at: at(25), ...account });
    await send({ type: "device_added", event_id: "ato-3", occurred_at: at(24), ...account });
    const res = await score(
      checkout("ato-co", "ato", {
        user: {
          id: "ato",
          created_at: "2023-03-01T09:00:00Z",
          email_domain: "mail-temp.example",
          email_verified: false,
        },
        device: { id: "ato-new-laptop", ip: "198.51.100.77", ip_country: "NG" },
        listing: { id: "l-dubai", host_id: "h-dubai", country: "AE" },
        booking: { amount: 2900, currency: "EUR", nights: 4, checkin_at: "2026-12-01T15:00:00Z" },
        message: { text: "urgent please confirm" },
      }),
    );
    expect(res.decision).not.toBe("allow");
    expect(res.reasons.map((r) => r.code)).toEqual(
      expect.arrayContaining([expect.stringMatching(/PASSWORD_RESET|EMAIL_CHANGE|DEVICE/)]),
    );
  });
});
