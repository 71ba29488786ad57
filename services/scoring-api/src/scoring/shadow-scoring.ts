import type { PipelineDeps } from "../decision/pipeline.ts";
import { expectedLoss, modelAction } from "../decision/policy.ts";
import type { PipelineResult } from "../decision/types.ts";
import type { ApiMetrics } from "../metrics.ts";
import type { ModelRouter } from "../model/model-router.ts";
import type { DecisionLog } from "./decision-log.ts";

export interface ShadowScoringDeps {
  readonly router: ModelRouter;
  readonly pipeline: Pick<PipelineDeps, "modelEnabled">;
  readonly metrics: ApiMetrics;
  readonly log: DecisionLog;
  onError(step: string, err: unknown): void;
}

/**
 * Scores a served checkout with each enabled shadow model, after the answer: what each would have
 * decided, whether it agrees with the served decision, published to the decision log.
 */
export async function scoreShadows(
  d: ShadowScoringDeps,
  eventId: string,
  served: PipelineResult,
  amountEur: number,
) {
  for (const shadow of d.router.shadows) {
    if (!d.pipeline.modelEnabled(shadow)) continue;
    try {
      const p = await shadow.predict(served.features);
      const action = modelAction(expectedLoss(p.calibrated, amountEur, shadow.policy), shadow.policy);
      const agrees = String(action === served.decision);
      d.metrics.shadowScores.inc({ model_version: shadow.version, agrees });
      d.log.publish({
        kind: "shadow",
        event_id: eventId,
        model: { name: shadow.name, version: shadow.version },
        score: p.calibrated,
        raw_score: p.raw,
        decision: action,
        served_decision: served.decision,
      });
    } catch (err) {
      d.onError("shadow_model", err);
    }
  }
}
