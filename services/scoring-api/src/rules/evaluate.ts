import type { Checkout } from "@riskgate/feature-store/events";
import { CHECKOUT_TYPE, toCelObject, toFeatureValues } from "./activation.ts";
import type { CompiledRuleSet } from "./compile.ts";
import type { Action } from "./schema.ts";

export interface RuleInput {
  features: Readonly<Record<string, number>>;
  checkout: Checkout;
}

export interface FiredRule {
  id: string;
  action: Action;
  shadow: boolean;
  code: string;
  detail: string;
}

/** A rule whose condition threw or did not return a bool at evaluation time; it counted as not matched. */
export interface RuleEvalError {
  id: string;
  message: string;
}

export interface RuleOutcome {
  /** The acting decision from active rules: the first allow match wins, else the first block, else the first review; undefined when no active rule matched. */
  action?: Action;
  /** Every rule that matched, active and shadow, in evaluation order. */
  fired: FiredRule[];
  /** id of the acting rule */
  decidingRule?: string;
  /** The first matched active review rule with `overflow: block`: its review, if not had, blocks. */
  overflowBlock?: string;
  /** Rules that failed at evaluation time (treated as not matched); empty when all went well. */
  errors: RuleEvalError[];
}

/**
 * Evaluates every active and shadow rule (not only up to the first match): `fired` feeds the
 * response's reasons, the review console and shadow-rule analysis, which all want the full picture.
 * Never throws; a failing rule is reported in `errors` and treated as not matched, so one bad rule
 * costs one signal, not the request.
 */
export function evaluateRuleSet(set: CompiledRuleSet, input: RuleInput): RuleOutcome {
  const fired: FiredRule[] = [];
  const errors: RuleEvalError[] = [];
  let action: Action | undefined;
  let decidingRule: string | undefined;
  let overflowBlock: string | undefined;

  let features: Record<string, unknown>;
  let checkout: Record<string, unknown>;
  try {
    features = toFeatureValues(set.featureDefaults, input.features);
    checkout = toCelObject(CHECKOUT_TYPE, input.checkout as unknown as Record<string, unknown>);
  } catch (e) {
    errors.push({ id: "*", message: `cannot build the rule input: ${(e as Error).message}` });
    return { fired, errors };
  }
  // One activation for all rules: built once per checkout, not once per rule.
  const activation = { features, checkout, lists: set.lists.value };

  for (const rule of set.evaluated) {
    let matched: unknown;
    let detail: string;
    try {
      matched = rule.test(activation);
      if (matched !== true) {
        if (matched !== false)
          errors.push({ id: rule.id, message: `condition returned ${typeof matched}, not a bool` });
        continue;
      }
      detail = rule.detail(features, checkout);
    } catch (e) {
      errors.push({ id: rule.id, message: (e as Error).message });
      continue;
    }
    const shadow = rule.status === "shadow";
    fired.push({ id: rule.id, action: rule.action, shadow, code: rule.code, detail });
    // `evaluated` is ordered allow → block → review, so the first active match is the decision.
    if (!shadow && action === undefined) {
      action = rule.action;
      decidingRule = rule.id;
    }
    if (!shadow && rule.overflow === "block" && overflowBlock === undefined) overflowBlock = rule.id;
  }
  return { action, fired, decidingRule, errors, ...(overflowBlock ? { overflowBlock } : {}) };
}
