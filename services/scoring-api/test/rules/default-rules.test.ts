import { describe, expect, it } from "vitest";
import { loadRules, RuleEngine } from "../../src/rules/index.ts";
import { BLOCK_AND_ALLOW_CASES } from "./default-rules-block-cases.ts";
import { REVIEW_CASES } from "./default-rules-review-cases.ts";
import { checkout, DEFAULT_RULES_FILE, defaultRulesWithLists, features, type RuleCases } from "./helpers.ts";

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

const TABLE: RuleCases[] = [...BLOCK_AND_ALLOW_CASES, ...REVIEW_CASES];

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
