import { describe, expect, it } from "vitest";
import { compileRuleSet, RuleEngine, type RuleEvalError } from "../../src/rules/index.ts";
import { checkout, features, rulesYaml } from "./helpers.ts";

const engineFor = (rules: Record<string, unknown>[], lists: Record<string, string[]> = {}) =>
  new RuleEngine(compileRuleSet(rulesYaml("t1", rules, lists)));

const always = "features.nights >= 0.0";
const never = "features.nights < 0.0";

describe("evaluation order", () => {
  it("allow beats block beats review, whatever the file order", () => {
    const rules = [
      { id: "R-REVIEW-A", action: "review", condition: always },
      { id: "R-BLOCK-A", action: "block", condition: always },
      { id: "R-ALLOW-A", action: "allow", condition: always },
    ];
    const out = engineFor(rules).evaluate({ features: features(), checkout: checkout() });
    expect(out.action).toBe("allow");
    expect(out.decidingRule).toBe("R-ALLOW-A");
    expect(out.fired.map((f) => f.id)).toEqual(["R-ALLOW-A", "R-BLOCK-A", "R-REVIEW-A"]);

    const noAllow = engineFor(rules.filter((r) => r.action !== "allow"));
    expect(noAllow.evaluate({ features: features(), checkout: checkout() })).toMatchObject({
      action: "block",
      decidingRule: "R-BLOCK-A",
    });
  });

  it("within an action the first matching rule in file order decides; all matches are reported", () => {
    const e = engineFor([
      { id: "R-REVIEW-1", action: "review", condition: never },
      { id: "R-REVIEW-2", action: "review", condition: always },
      { id: "R-REVIEW-3", action: "review", condition: always },
    ]);
    const out = e.evaluate({ features: features(), checkout: checkout() });
    expect(out.decidingRule).toBe("R-REVIEW-2");
    expect(out.fired.map((f) => f.id)).toEqual(["R-REVIEW-2", "R-REVIEW-3"]);
  });

  it("no match: no action", () => {
    const out = engineFor([{ id: "R-BLOCK-N", action: "block", condition: never }]).evaluate({
      features: features(),
      checkout: checkout(),
    });
    expect(out).toEqual({ action: undefined, fired: [], decidingRule: undefined, errors: [] });
  });
});

describe("overflow: block", () => {
  it("names the first matched active review rule that blocks when its review cannot be had", () => {
    const e = engineFor([
      { id: "R-REVIEW-PLAIN", action: "review", condition: always },
      { id: "R-REVIEW-SHADOWED", action: "review", status: "shadow", overflow: "block", condition: always },
      { id: "R-REVIEW-MISSED", action: "review", overflow: "block", condition: never },
      { id: "R-REVIEW-STRICT", action: "review", overflow: "block", condition: always },
      { id: "R-REVIEW-STRICT-2", action: "review", overflow: "block", condition: always },
    ]);
    const out = e.evaluate({ features: features(), checkout: checkout() });
    // the plain rule decides (first in file order); a later one still asks for the block on overflow
    expect(out).toMatchObject({
      action: "review",
      decidingRule: "R-REVIEW-PLAIN",
      overflowBlock: "R-REVIEW-STRICT",
    });
  });

  it("is absent when only expected-loss review rules, or shadow ones, matched", () => {
    const e = engineFor([
      { id: "R-REVIEW-PLAIN", action: "review", overflow: "expected_loss", condition: always },
      { id: "R-REVIEW-SHADOWED", action: "review", status: "shadow", overflow: "block", condition: always },
    ]);
    expect(e.evaluate({ features: features(), checkout: checkout() })).not.toHaveProperty("overflowBlock");
  });
});

describe("statuses", () => {
  it("a shadow rule is reported but never acts, even an allow", () => {
    const e = engineFor([
      { id: "R-ALLOW-SHADOW", action: "allow", status: "shadow", condition: always },
      { id: "R-BLOCK-SHADOW", action: "block", status: "shadow", condition: always },
      { id: "R-REVIEW-LIVE", action: "review", condition: always },
    ]);
    const out = e.evaluate({ features: features(), checkout: checkout() });
    expect(out.action).toBe("review");
    expect(out.decidingRule).toBe("R-REVIEW-LIVE");
    expect(out.fired).toEqual([
      expect.objectContaining({ id: "R-ALLOW-SHADOW", shadow: true }),
      expect.objectContaining({ id: "R-BLOCK-SHADOW", shadow: true }),
      expect.objectContaining({ id: "R-REVIEW-LIVE", shadow: false }),
    ]);
  });

  it("only shadow matches: no action", () => {
    const out = engineFor([
      { id: "R-BLOCK-S", action: "block", status: "shadow", condition: always },
    ]).evaluate({
      features: features(),
      checkout: checkout(),
    });
    expect(out.action).toBeUndefined();
    expect(out.fired).toHaveLength(1);
  });

  it("a paused rule is not evaluated (a runtime error in it is never seen)", () => {
    const e = engineFor([
      { id: "R-BLOCK-PAUSED", action: "block", status: "paused", condition: always },
      // Would throw (substring past the end of ""), so evaluating it would show up in errors.
      {
        id: "R-BLOCK-PAUSED-BROKEN",
        action: "block",
        status: "paused",
        condition: 'checkout.payment.bin.substring(0, 6) == "1"',
      },
    ]);
    const out = e.evaluate({ features: features(), checkout: checkout({ payment: { bin: undefined } }) });
    expect(out).toEqual({ action: undefined, fired: [], decidingRule: undefined, errors: [] });
    expect(e.ruleSet.rules).toHaveLength(2);
    expect(e.ruleSet.evaluated).toHaveLength(0);
  });
});

describe("inputs", () => {
  it("absent optional checkout strings are empty strings; lists are usable with `in`", () => {
    const e = engineFor(
      [
        { id: "R-REVIEW-NO-DOMAIN", action: "review", condition: 'checkout.user.email_domain == ""' },
        { id: "R-BLOCK-DEVICE", action: "block", condition: "checkout.device.id in lists.bad_devices" },
      ],
      { bad_devices: ["d_x"] },
    );
    const out = e.evaluate({
      features: features(),
      checkout: checkout({ user: { email_domain: undefined }, device: { id: "d_x" } }),
    });
    expect(out.fired.map((f) => f.id)).toEqual(["R-BLOCK-DEVICE", "R-REVIEW-NO-DOMAIN"]);
  });

  it("a feature missing from the input gets its feature-store default", () => {
    const e = engineFor([{ id: "R-REVIEW-NIGHTS", action: "review", condition: "features.nights == 1.0" }]);
    expect(e.evaluate({ features: {}, checkout: checkout() }).action).toBe("review");
  });

  it("checkout ints (nights) are CEL ints", () => {
    const e = engineFor([
      { id: "R-REVIEW-LONG", action: "review", condition: "checkout.booking.nights >= 3" },
    ]);
    expect(e.evaluate({ features: features(), checkout: checkout({ booking: { nights: 3 } }) }).action).toBe(
      "review",
    );
    expect(
      e.evaluate({ features: features(), checkout: checkout({ booking: { nights: 2 } }) }).action,
    ).toBeUndefined();
  });
});

describe("runtime errors", () => {
  it("a rule that throws while evaluating counts as not matched, is reported, and the others still decide", () => {
    const seen: RuleEvalError[] = [];
    const e = new RuleEngine(
      compileRuleSet(
        rulesYaml("t1", [
          {
            id: "R-BLOCK-BROKEN",
            action: "block",
            condition: 'checkout.payment.bin.substring(0, 6) == "666666"',
          },
          { id: "R-REVIEW-OK", action: "review", condition: always },
        ]),
      ),
      {
        onEvalError: (err) => {
          seen.push(err);
          throw new Error("a broken metrics callback");
        },
      },
    );
    const input = { features: features(), checkout: checkout({ payment: { bin: undefined } }) };
    const out = e.evaluate(input);
    expect(out.action).toBe("review");
    expect(out.decidingRule).toBe("R-REVIEW-OK");
    expect(out.errors).toEqual([{ id: "R-BLOCK-BROKEN", message: expect.stringContaining("substring") }]);
    expect(seen.map((s) => s.id)).toEqual(["R-BLOCK-BROKEN"]);
  });

  it("a malformed input does not throw out of evaluate()", () => {
    const e = engineFor([
      { id: "R-REVIEW-OK", action: "review", condition: 'checkout.device.ip_country == "PT"' },
    ]);
    const broken = { ...checkout(), device: null } as unknown as ReturnType<typeof checkout>;
    expect(() => e.evaluate({ features: features(), checkout: broken })).not.toThrow();
  });
});
