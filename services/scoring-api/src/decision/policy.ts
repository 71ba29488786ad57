import type { Action } from "./types.ts";

const SEVERITY: Record<Action, number> = { allow: 0, review: 1, block: 2 };

export function modelAction(score: number, thresholds: { review: number; block: number }): Action {
  if (score >= thresholds.block) return "block";
  if (score >= thresholds.review) return "review";
  return "allow";
}

/**
 * Combines the rules' acting decision with the model's. An allow-list match is an operator's
 * explicit decision and wins; a block rule is a hard stop; a review rule raises an allow to a
 * review but never lowers a model block.
 */
export function combine(ruleAction: Action | undefined, model: Action | undefined): Action {
  if (ruleAction === "allow" || ruleAction === "block") return ruleAction;
  const candidates: Action[] = [ruleAction ?? "allow", model ?? "allow"];
  return candidates.reduce((a, b) => (SEVERITY[b] > SEVERITY[a] ? b : a));
}
