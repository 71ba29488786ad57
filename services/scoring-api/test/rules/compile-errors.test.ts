// Rule files the engine must refuse at compile time, each with an error naming the rule.
import { describe, expect, it } from "vitest";
import { compileRuleSet, RulesError } from "../../src/rules/index.ts";
import { rulesYaml } from "./helpers.ts";

const always = "features.nights >= 0.0";

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
      name: "overflow on a rule that is not a review",
      text: rulesYaml("v", [
        ok,
        { id: "R-BLOCK-OVER", action: "block", overflow: "block", condition: always },
      ]),
      code: "rules_schema",
      rule: "R-BLOCK-OVER",
      message: /rule R-BLOCK-OVER: \/overflow applies to review rules only \(this one is block\)/,
    },
    {
      name: "unknown overflow",
      text: rulesYaml("v", [{ ...ok, overflow: "allow" }]),
      code: "rules_schema",
      rule: "R-REVIEW-OK",
      message: /overflow: must be one of expected_loss, block, got "allow"/,
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
