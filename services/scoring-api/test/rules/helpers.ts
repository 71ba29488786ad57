import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { FEATURES } from "@riskgate/feature-store/definitions";
import type { Checkout } from "@riskgate/feature-store/events";
import { checkout as baseCheckout, T0 } from "@riskgate/test-support/events";
import { parse, stringify } from "yaml";
import { type CompiledRuleSet, compileRuleSet } from "../../src/rules/index.ts";

export const DEFAULT_RULES_FILE = fileURLToPath(new URL("../../rules/default.yaml", import.meta.url));

/** Every real feature at its default, with overrides; an unknown name is a test bug, so it throws. */
export function features(over: Record<string, number> = {}): Record<string, number> {
  const out = Object.fromEntries(FEATURES.map((f) => [f.name, f.default]));
  for (const [k, v] of Object.entries(over)) {
    if (!(k in out)) throw new Error(`test uses unknown feature ${k}`);
    out[k] = v;
  }
  return out;
}

/** A clean checkout (PT everywhere, known domain), with nested overrides merged. */
export function checkout(over: { [K in keyof Checkout]?: Partial<Checkout[K]> } = {}): Checkout {
  const c = baseCheckout("e1", T0);
  const merged: Record<string, unknown> = { ...c };
  for (const [k, v] of Object.entries(over)) {
    const cur = (c as unknown as Record<string, unknown>)[k];
    merged[k] = typeof cur === "object" && cur !== null ? { ...cur, ...(v as object) } : v;
  }
  return merged as unknown as Checkout;
}

/** The shipped default rules with list entries filled in (the shipped lists are mostly empty). */
export function defaultRulesWithLists(lists: Record<string, string[]>): CompiledRuleSet {
  const doc = parse(readFileSync(DEFAULT_RULES_FILE, "utf8")) as { lists: Record<string, string[]> };
  for (const [k, v] of Object.entries(lists)) {
    if (!(k in doc.lists)) throw new Error(`default.yaml has no list ${k}`);
    doc.lists[k] = v;
  }
  return compileRuleSet(stringify(doc), { source: "default.yaml+test-lists" });
}

/** A small rules file; each rule gets description and reason filled in unless given. */
export function rulesYaml(
  version: string,
  rules: Record<string, unknown>[],
  lists: Record<string, string[]> = {},
) {
  return stringify({
    version,
    lists,
    rules: rules.map((r) => ({
      description: `test rule ${String(r.id)}`,
      status: "active",
      reason: {
        code: String(r.id)
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, "_")
          .replace(/^r_/, ""),
        detail: "d",
      },
      ...r,
    })),
  });
}

/** One input: a checkout and stored features (each at its default unless given). */
export interface RuleCase {
  name: string;
  checkout?: Checkout;
  features?: Record<string, number>;
}
/** One rule of default.yaml: inputs it fires on and inputs it must not fire on. */
export interface RuleCases {
  rule: string;
  action: "allow" | "review" | "block";
  shadow?: boolean;
  fires: RuleCase[];
  doesNot: RuleCase[];
}
