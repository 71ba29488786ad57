import type { Checkout } from "@riskgate/feature-store/events";

export type Action = "allow" | "review" | "block";

/** The manifest's cost model (policy block), in EUR; configuration may override each number. */
export interface PolicyCosts {
  readonly chargebackFeeEur: number;
  readonly reviewCostEur: number;
  readonly declineCostEur: number;
  readonly reviewMinExpectedLossEur: number;
}

/** Expected loss of each way to let a checkout go, in EUR. */
export interface ExpectedLoss {
  readonly amountEur: number;
  readonly p: number;
  /** Allowing it: a fraud costs the amount plus the chargeback fee. */
  readonly allow: number;
  /** Blocking it: a good customer turned away. */
  readonly block: number;
}

/** normal: features + rules + model; rules_only: model switched off; degraded: a dependency failed. */
export type Mode = "normal" | "rules_only" | "degraded";

/** DEGRADED_REVIEW_ABOVE_EUR / DEGRADED_BLOCK_ABOVE_EUR: amounts (EUR) that a degraded checkout needs a review or a block at. */
export interface DegradedPolicy {
  readonly reviewAboveEur: number;
  readonly blockAboveEur: number;
}

export interface Reason {
  readonly code: string;
  readonly detail: string;
}

export interface FiredRule {
  readonly id: string;
  readonly action: Action;
  readonly shadow: boolean;
  readonly code: string;
  readonly detail: string;
}

export interface RuleOutcome {
  /** The acting decision of active rules (allow wins, then block, then review), if any matched. */
  readonly action?: Action;
  readonly fired: readonly FiredRule[];
  /** An active review rule that blocks the checkout when its review cannot be had (rules/schema.ts). */
  readonly overflowBlock?: string;
}

/** What the pipeline needs from the rules layer; the CEL engine implements it. */
export interface RulesPort {
  readonly version: string;
  evaluate(input: { features: Readonly<Record<string, number>>; checkout: Checkout }): RuleOutcome;
}

export interface Contribution {
  readonly feature: string;
  readonly contribution: number;
  readonly value: number;
}

/** One loaded model version: ONNX session, manifest cost model, explainer. */
export interface ScoringModel {
  readonly name: string;
  readonly version: string;
  readonly policy: PolicyCosts;
  predict(features: readonly number[]): Promise<{ raw: number; calibrated: number }>;
  /** The features that pushed this score up most (exact TreeSHAP on the served trees). */
  topReasons(features: readonly number[], k: number): Contribution[];
}

export interface Timings {
  features: number;
  rules: number;
  model: number;
  policy: number;
  total: number;
}

export interface PipelineResult {
  readonly decision: Action;
  readonly score: number | null;
  readonly rawScore: number | null;
  readonly mode: Mode;
  readonly reasons: Reason[];
  /** The model's expected loss each way; null when no model scored the checkout. */
  readonly loss: ExpectedLoss | null;
  /** The model would allow and no rule decided: exploration may send it to review. */
  readonly explorable: boolean;
  readonly rules: readonly FiredRule[];
  /** An active review rule that fired with `overflow: block`: no review to be had means block. */
  readonly overflowBlock?: string;
  readonly model: { name: string; version: string } | null;
  readonly features: readonly number[];
  /** The same values by feature name (what the rules saw; the decision log records it). */
  readonly featureRecord: Readonly<Record<string, number>>;
  readonly missing: readonly string[];
  readonly stale: readonly string[];
  readonly timings: Timings;
  /** Why the mode is not normal, for logs and metrics. */
  readonly degradedBecause?: "features" | "model" | "overload";
}
