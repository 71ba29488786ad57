import { describe, expect, it } from "vitest";
import { compileRuleSet, RuleEngine, type RuleEvalError, RulesError } from "../../src/rules/index.ts";
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

describe("invalid files are refused with an error naming the rule", () => {
  const ok = { id: "R-REVIEW-OK", action: "review", condition: always };
  const cases: { name: string; text: string; code: string; rule?: string; message: RegExp }[] = [
    {
      name: "YAML syntax error",
      text: "version: v1\nlists: {}\nrules: [\n  - id: R-X\n",
      code: "rules_yaml",
      message: /YAML/,
    },
    {
      name: "bad CEL syntax",
      text: rulesYaml("v", [ok, { id: "R-BLOCK-SYNTAX", action: "block", condition: "features.nights >= " }]),
      code: "rules_cel_syntax",
      rule: "R-BLOCK-SYNTAX",
      message: /rule R-BLOCK-SYNTAX: condition does not parse/,
    },
    {
      name: "unknown variable",
      text: rulesYaml("v", [{ id: "R-BLOCK-VAR", action: "block", condition: 'request.ip == "1"' }]),
      code: "rules_cel_type",
      rule: "R-BLOCK-VAR",
      message: /rule R-BLOCK-VAR: .*Unknown variable: request/s,
    },
    {
      name: "unknown feature",
      text: rulesYaml("v", [
        { id: "R-BLOCK-FEAT", action: "block", condition: "features.instrument_failed_5m >= 1.0" },
      ]),
      code: "rules_cel_type",
      rule: "R-BLOCK-FEAT",
      message: /unknown feature 'features.instrument_failed_5m'/,
    },
    {
      name: "unknown list",
      text: rulesYaml(
        "v",
        [{ id: "R-BLOCK-LIST", action: "block", condition: "checkout.device.id in lists.nope" }],
        {
          blocked_devices: [],
        },
      ),
      code: "rules_cel_type",
      rule: "R-BLOCK-LIST",
      message: /unknown list 'lists.nope' \(lists in this file: blocked_devices\)/,
    },
    {
      name: "unknown checkout field",
      text: rulesYaml("v", [
        { id: "R-BLOCK-FIELD", action: "block", condition: 'checkout.user.phone == "1"' },
      ]),
      code: "rules_cel_type",
      rule: "R-BLOCK-FIELD",
      message: /No such key: phone/,
    },
    {
      name: "int literal against a double feature",
      text: rulesYaml("v", [{ id: "R-BLOCK-INT", action: "block", condition: "features.nights == 1" }]),
      code: "rules_cel_type",
      rule: "R-BLOCK-INT",
      message: /R-BLOCK-INT.*write 1\.0, not 1.*no such overload: double == int/s,
    },
    {
      name: "condition not a bool",
      text: rulesYaml("v", [{ id: "R-BLOCK-NUM", action: "block", condition: "features.nights" }]),
      code: "rules_cel_type",
      rule: "R-BLOCK-NUM",
      message: /must be a bool, it is a double/,
    },
    {
      name: "duplicate id",
      text: rulesYaml("v", [ok, { ...ok }]),
      code: "rules_duplicate_id",
      rule: "R-REVIEW-OK",
      message: /rule R-REVIEW-OK: id used twice/,
    },
    {
      name: "wrong action",
      text: rulesYaml("v", [{ id: "R-DENY-X", action: "deny", condition: always }]),
      code: "rules_schema",
      rule: "R-DENY-X",
      message: /rule R-DENY-X \(rules\[0\]\): \/action: must be one of allow, review, block, got "deny"/,
    },
    {
      name: "wrong status",
      text: rulesYaml("v", [{ id: "R-BLOCK-ST", action: "block", status: "on", condition: always }]),
      code: "rules_schema",
      rule: "R-BLOCK-ST",
      message: /must be one of active, shadow, paused/,
    },
    {
      name: "unknown field in a rule",
      text: rulesYaml("v", [{ ...ok, when: "true" }]),
      code: "rules_schema",
      rule: "R-REVIEW-OK",
      message: /rule R-REVIEW-OK/,
    },
    {
      name: "unknown top-level field",
      text: `${rulesYaml("v", [ok])}\nowner: fraud-team\n`,
      code: "rules_schema",
      message: /owner|Unexpected property/,
    },
    {
      name: "unknown detail placeholder",
      text: rulesYaml("v", [{ ...ok, reason: { code: "x", detail: "{features.nope} failures" } }]),
      code: "rules_template",
      rule: "R-REVIEW-OK",
      message: /placeholder \{features.nope\}/,
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      let caught: unknown;
      try {
        compileRuleSet(c.text, { source: "t.yaml" });
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(RulesError);
      const err = caught as RulesError;
      expect(err.code).toBe(c.code);
      expect(err.ruleId).toBe(c.rule);
      expect(err.message).toMatch(c.message);
      expect(err.message.startsWith("t.yaml: ")).toBe(true);
    });
  }

  it("paused rules are checked too", () => {
    const text = rulesYaml("v", [
      { id: "R-BLOCK-P", action: "block", status: "paused", condition: "nope == 1" },
    ]);
    expect(() => compileRuleSet(text)).toThrow(/R-BLOCK-P/);
  });
});
