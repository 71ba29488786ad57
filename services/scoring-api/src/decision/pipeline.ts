import { type FeatureSet, type FeatureVector, toEur } from "@riskgate/feature-store/definitions";
import type { Checkout } from "@riskgate/feature-store/events";
import { combine, degradedAction, degradedReason, expectedLoss, lossReason, modelAction } from "./policy.ts";
import type {
  Action,
  DegradedPolicy,
  ExpectedLoss,
  Mode,
  PipelineResult,
  PolicyCosts,
  Reason,
  RulesPort,
  ScoringModel,
} from "./types.ts";

export interface PipelineDeps {
  readonly features: FeatureSet;
  /** One round trip to the online store; rejects on failure or timeout. */
  readFeatures(checkout: Checkout): Promise<FeatureVector>;
  readonly rules: RulesPort;
  /** false when the kill-switch (or a per-version switch) has taken this model out. */
  modelEnabled(model: ScoringModel): boolean;
  /** Overrides of the deciding model's cost model from configuration; unset when there are none. */
  readonly policyOverrides?: Partial<PolicyCosts>;
  readonly reasonsFromModel: number;
  /** What a checkout without a model score because of a failure (mode `degraded`) gets, by amount. */
  readonly degradedPolicy: DegradedPolicy;
  /** Called when a dependency fails; the pipeline degrades instead of throwing. */
  onDependencyError(dependency: "features" | "model", err: unknown): void;
  /** Tracing port: runs a stage as a child span of the request's span. Unset: a plain call. */
  readonly span?: StageSpan;
  /**
   * Inference port (a circuit breaker around the model, resilience/): rejects to degrade the
   * checkout to rules. Unset: `model.predict`.
   */
  predict?(model: ScoringModel, features: readonly number[]): Promise<{ raw: number; calibrated: number }>;
}

export type Stage = "features" | "rules" | "model" | "policy";
export type StageSpan = <T>(stage: Stage, fn: () => T) => T;
const untraced: StageSpan = (_stage, fn) => fn();

const now = () => performance.now();
const ms = (from: number, to: number) => Math.round((to - from) * 1000) / 1000;

/**
 * features → rules → model → policy, as plain functions over injected ports: no HTTP, Redis or ONNX
 * types here. It never throws for a valid checkout: a failed feature read degrades to request-time
 * features and rules; a failed model degrades to rules.
 */
export async function runPipeline(
  deps: PipelineDeps,
  checkout: Checkout,
  model: ScoringModel | null,
  /** Overload (admission control): request-time features and rules only, no I/O, no model. */
  requestTimeOnly = false,
): Promise<PipelineResult> {
  const span = deps.span ?? untraced;
  const t0 = now();
  const asOf = Date.parse(checkout.occurred_at);
  let mode: Mode = "normal";
  let degradedBecause: PipelineResult["degradedBecause"];
  let vector: FeatureVector;
  if (requestTimeOnly) {
    mode = "degraded";
    degradedBecause = "overload";
    vector = deps.features.compute(checkout, asOf, []);
  } else {
    try {
      vector = await span("features", () => deps.readFeatures(checkout));
    } catch (err) {
      deps.onDependencyError("features", err);
      mode = "degraded";
      degradedBecause = "features";
      // Request-time features still compute; every stored feature takes its default.
      vector = deps.features.compute(checkout, asOf, []);
    }
  }
  const t1 = now();

  const featureRecord = deps.features.toRecord(vector);
  const ruleOutcome = span("rules", () => deps.rules.evaluate({ features: featureRecord, checkout }));
  const t2 = now();

  let score: number | null = null;
  let rawScore: number | null = null;
  let modelAct: Action | undefined;
  let loss: ExpectedLoss | null = null;
  let used: ScoringModel | null = null;
  const amountEur = toEur(checkout.booking.amount, checkout.booking.currency);
  if (model && mode === "normal" && !deps.modelEnabled(model)) mode = "rules_only";
  if (model && mode === "normal") {
    try {
      const p = await span("model", () =>
        deps.predict ? deps.predict(model, vector.values) : model.predict(vector.values),
      );
      score = p.calibrated;
      rawScore = p.raw;
      used = model;
      const costs = deps.policyOverrides ? { ...model.policy, ...deps.policyOverrides } : model.policy;
      loss = expectedLoss(score, amountEur, costs);
      modelAct = modelAction(loss, costs);
    } catch (err) {
      deps.onDependencyError("model", err);
      mode = "degraded";
      degradedBecause = "model";
    }
  } else if (!model && mode === "normal") {
    mode = "rules_only";
  }
  // An operator's rules_only is a deliberate choice of the rules; a failure is not.
  if (mode === "degraded") modelAct = degradedAction(amountEur, deps.degradedPolicy);
  const t3 = now();

  const [decision, reasons] = span("policy", (): [Action, Reason[]] => {
    const decision = combine(ruleOutcome.action, modelAct);
    const reasons: Reason[] = ruleOutcome.fired
      .filter((r) => !r.shadow)
      .map((r) => ({ code: r.code, detail: r.detail }));
    if (loss && modelAct !== "allow" && decision !== "allow") reasons.push(lossReason(loss));
    if (mode === "degraded" && modelAct && modelAct !== "allow" && decision !== "allow") {
      reasons.push(degradedReason(amountEur, modelAct, deps.degradedPolicy));
    }
    if (used && decision !== "allow") {
      for (const c of used.topReasons(vector.values, deps.reasonsFromModel)) {
        reasons.push({
          code: `MODEL_${c.feature.toUpperCase()}`,
          detail: `${c.feature}=${round(c.value)} raised the score (+${round(c.contribution)} log-odds)`,
        });
      }
    }
    return [decision, reasons];
  });
  const t4 = now();
  return {
    decision,
    score,
    rawScore,
    mode,
    reasons,
    loss,
    explorable: modelAct === "allow" && ruleOutcome.action === undefined,
    rules: ruleOutcome.fired,
    model: used ? { name: used.name, version: used.version } : null,
    features: vector.values,
    featureRecord,
    missing: vector.missing,
    stale: vector.stale,
    timings: {
      features: ms(t0, t1),
      rules: ms(t1, t2),
      model: ms(t2, t3),
      policy: ms(t3, t4),
      total: ms(t0, t4),
    },
    ...(degradedBecause ? { degradedBecause } : {}),
    ...(ruleOutcome.overflowBlock ? { overflowBlock: ruleOutcome.overflowBlock } : {}),
  };
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
