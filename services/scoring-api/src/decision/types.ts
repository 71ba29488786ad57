import type { Checkout } from "@riskgate/feature-store/events";

export type Action = "allow" | "review" | "block";
/** normal: features + rules + model; rules_only: model switched off; degraded: a dependency failed. */
export type Mode = "normal" | "rules_only" | "degraded";

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

/** One loaded model version: ONNX session, manifest thresholds, explainer. */
export interface ScoringModel {
  readonly name: string;
  readonly version: string;
  readonly thresholds: { readonly review: number; readonly block: number };
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
  readonly rules: readonly FiredRule[];
  readonly model: { name: string; version: string } | null;
  readonly features: readonly number[];
  /** The same values by feature name (what the rules saw; the decision log records it). */
  readonly featureRecord: Readonly<Record<string, number>>;
  readonly missing: readonly string[];
  readonly stale: readonly string[];
  readonly timings: Timings;
  /** Why the mode is not normal, for logs and metrics. */
  readonly degradedBecause?: "features" | "model";
}
