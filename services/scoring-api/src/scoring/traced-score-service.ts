import type { SpanRunner } from "@riskgate/common/tracing";
import type { Checkout } from "@riskgate/feature-store/events";
import { type ScoreResponse, ScoreService, type ScoreServiceDeps } from "./score-service.ts";

/**
 * A `score` span around each checkout; the pipeline's stages (features, rules, model, policy) are its
 * children. Attributes are versions and outcomes only, never personal data (no ids, emails or IPs).
 */
export class TracedScoreService extends ScoreService {
  private readonly span: SpanRunner;

  constructor(deps: ScoreServiceDeps, span: SpanRunner) {
    super(deps);
    this.span = span;
  }

  override score(checkout: Checkout, overloaded = false): Promise<ScoreResponse> {
    return this.span("score", async (s) => {
      const res = await super.score(checkout, overloaded);
      s.setAttributes({
        "riskgate.decision": res.decision,
        "riskgate.mode": res.mode,
        "riskgate.model.name": res.model?.name ?? "none",
        "riskgate.model.version": res.model?.version ?? "none",
        "riskgate.rules.version": res.rules_version,
        "riskgate.feature_set": res.feature_set,
      });
      return res;
    });
  }
}
