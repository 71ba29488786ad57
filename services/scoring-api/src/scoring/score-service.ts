import { AppError } from "@riskgate/common/errors";
import { toEur } from "@riskgate/feature-store/definitions";
import type { Checkout } from "@riskgate/feature-store/events";
import type { OnlineStore } from "@riskgate/feature-store/online";
import { update } from "@riskgate/feature-store/update";
import { type PipelineDeps, runPipeline } from "../decision/pipeline.ts";
import {
  type OverflowMode,
  planReview,
  settleReview,
  settleWithoutCase,
} from "../decision/review-capacity.ts";
import type { Action, PipelineResult, Reason } from "../decision/types.ts";
import type { DriftMonitor } from "../drift/drift-metrics.ts";
import type { ApiMetrics } from "../metrics.ts";
import type { ModelRouter } from "../model/model-router.ts";
import type { ReviewBudget } from "../review/review-budget.ts";
import { caseIdFor, type ReviewQueue } from "../review/review-queue.ts";
import { checkoutBodyHash } from "./body-hash.ts";
import type { DecisionLog } from "./decision-log.ts";
import type { DecisionStore } from "./decision-store.ts";
import { ScoreMetrics } from "./score-metrics.ts";
import { scoreShadows } from "./shadow-scoring.ts";

export interface ScoreResponse {
  event_id: string;
  decision: Action;
  score: number | null;
  reasons: { code: string; detail: string }[];
  rules: { id: string; action: Action; shadow: boolean }[];
  model: { name: string; version: string } | null;
  feature_set: string;
  rules_version: string;
  mode: PipelineResult["mode"];
  timings_ms: PipelineResult["timings"];
  review_case_id?: string;
}

export interface ScoreServiceDeps {
  readonly pipeline: PipelineDeps;
  readonly router: ModelRouter;
  readonly decisions: DecisionStore;
  readonly budget: ReviewBudget;
  readonly queue: ReviewQueue;
  readonly store: OnlineStore;
  readonly log: DecisionLog;
  readonly metrics: ApiMetrics;
  /** What a would-be review gets past the day's budget (decision/review-capacity.ts). */
  readonly overflow: OverflowMode;
  /** Share of would-be allows sent to review at random (0: no exploration). */
  readonly explorationShare: number;
  /** Uniform in [0, 1): the exploration draw (tests seed it). */
  random(): number;
  readonly drift: DriftMonitor;
  readonly reviewSlaMs: number;
  /** A side effect failed; the response is still served. */
  onError(step: string, err: unknown): void;
  /** Wall clock for review budgets and SLA deadlines (tests pin it). */
  now(): number;
  /**
   * Runs `issue`, sending the Redis commands it starts in one socket write with those of every
   * checkout that reaches Redis in the same event-loop turn (redis-batching.ts).
   */
  together<T>(issue: () => T): T;
}

/**
 * One checkout from request to answer: idempotency, the decision pipeline, the review budget and
 * queue, the checkout-velocity update, the training log, and shadow scoring after the answer.
 */
export class ScoreService {
  private readonly deps: ScoreServiceDeps;
  private readonly scoreMetrics: ScoreMetrics;

  constructor(deps: ScoreServiceDeps) {
    this.deps = deps;
    this.scoreMetrics = new ScoreMetrics(deps.metrics, deps.drift);
  }

  /**
   * `overloaded` (admission control): rules on request-time data only, and no idempotency round
   * trips, so a retry is scored again; the velocity update still counts the checkout, without the
   * answer waiting for it.
   */
  async score(checkout: Checkout, overloaded = false): Promise<ScoreResponse> {
    const started = performance.now();
    const d = this.deps;
    const hash = checkoutBodyHash(checkout);
    const { model, role } = d.router.route(checkout.user.id);
    // The idempotency read and the pipeline (which only reads) run side by side: a retry wastes one
    // pipeline run, every first attempt saves a round trip, and a hanging Redis costs one timeout.
    const [known, result] = overloaded
      ? [null, await runPipeline(d.pipeline, checkout, model, true)]
      : await d.together(() =>
          Promise.all([this.tryRead(checkout.event_id), runPipeline(d.pipeline, checkout, model)]),
        );
    if (known) return this.replay(known, hash);
    const plan = planReview(result, d.explorationShare, d.explorationShare > 0 ? d.random() : 1);
    const granted = plan.decision === "review" && (await d.together(() => this.takeReview()));
    let settled = settleReview(plan, granted, d.overflow, d.budget.capacity);
    const reasons = [...result.reasons];
    if (overloaded) reasons.push(OVERLOAD_REASON);
    if (settled.exploration) {
      reasons.push({
        code: "EXPLORATION",
        detail: `reviewed at random (share ${d.explorationShare}) to learn from checkouts the policy allows`,
      });
    }
    if (settled.overflowed) d.metrics.reviewOverflow.inc({ action: settled.decision });
    // A review answer always names a case that exists: it is opened before the answer is stored.
    let reviewCaseId: string | undefined;
    if (settled.decision === "review") {
      const caseId = caseIdFor(checkout.event_id);
      if (await d.together(() => this.openCase(checkout, result, reasons, caseId))) reviewCaseId = caseId;
      else {
        settled = settleWithoutCase(plan, d.overflow);
        d.metrics.reviewCaseUnavailable.inc({ action: settled.decision });
      }
    }
    if (settled.reason) reasons.push(settled.reason);
    const decision = settled.decision;
    const response: ScoreResponse = {
      event_id: checkout.event_id,
      decision,
      score: result.score,
      reasons,
      rules: result.rules.map((r) => ({ id: r.id, action: r.action, shadow: r.shadow })),
      model: result.model,
      feature_set: d.pipeline.features.version,
      rules_version: d.pipeline.rules.version,
      mode: result.mode,
      timings_ms: result.timings,
      ...(reviewCaseId ? { review_case_id: reviewCaseId } : {}),
    };

    // The feature read counted the checkout in its velocity state in the same atomic step
    // (readAndCountCheckout), so a parallel burst sees itself. Without that read (overload, or a
    // failed read) the checkout is counted here: the store deduplicates by event id, so a read that
    // timed out but ran is not counted twice. Overloaded, the answer does not wait for it: on a
    // saturated loop a Redis round trip is a whole loop turn, which doubled a degraded answer's
    // latency; the command is already queued ahead of any later checkout's feature read.
    const counted = result.degradedBecause !== "overload" && result.degradedBecause !== "features";
    if (overloaded) void d.together(() => this.recordVelocity(checkout));
    else {
      const [stored] = await d.together(() =>
        Promise.all([
          this.tryStore(checkout.event_id, { bodyHash: hash, response }),
          counted ? undefined : this.recordVelocity(checkout),
        ]),
      );
      if (stored.bodyHash !== hash || stored.response !== response) return this.replay(stored, hash);
    }
    this.scoreMetrics.observe(response, result, role, (performance.now() - started) / 1000);
    d.log.publish({
      kind: "decision",
      event_id: checkout.event_id,
      occurred_at: checkout.occurred_at,
      scored_at: new Date(d.now()).toISOString(),
      decision,
      score: result.score,
      raw_score: result.rawScore,
      mode: result.mode,
      model: result.model,
      model_role: role,
      feature_set: response.feature_set,
      rules_version: response.rules_version,
      features: result.featureRecord,
      missing: result.missing,
      stale: result.stale,
      rules: result.rules,
      reasons,
      timings_ms: result.timings,
      review_case_id: reviewCaseId ?? null,
      exploration: settled.exploration,
      propensity: settled.propensity,
    });
    if (d.router.shadows.length > 0 && result.mode === "normal") {
      const amountEur = toEur(checkout.booking.amount, checkout.booking.currency);
      setImmediate(() => void scoreShadows(d, checkout.event_id, result, amountEur));
    }
    return response;
  }

  private replay(stored: { bodyHash: string; response: unknown }, hash: string): ScoreResponse {
    if (stored.bodyHash !== hash) {
      this.deps.metrics.idempotencyConflicts.inc();
      throw new AppError(
        "idempotency_conflict",
        "/event_id: this event_id was already scored with a different body; send a new event_id for a new checkout",
        "/event_id",
      );
    }
    this.deps.metrics.idempotentReplays.inc();
    return stored.response as ScoreResponse;
  }

  // Each side effect below degrades on its own: a Redis hiccup costs idempotency or turns a review
  // into the overflow action, never the answer to the checkout.
  private async tryRead(eventId: string) {
    try {
      return await this.deps.decisions.get(eventId);
    } catch (err) {
      this.deps.onError("decision_store_read", err);
      return null;
    }
  }

  private async tryStore(eventId: string, value: { bodyHash: string; response: ScoreResponse }) {
    try {
      return await this.deps.decisions.putIfAbsent(eventId, value);
    } catch (err) {
      this.deps.onError("decision_store_write", err);
      return value;
    }
  }

  private async takeReview(): Promise<boolean> {
    try {
      return await this.deps.budget.tryTake(new Date(this.deps.now()));
    } catch (err) {
      // Without the shared budget we cannot know it is spent; a review is the cautious answer.
      this.deps.onError("review_budget", err);
      return true;
    }
  }

  /** true when the case exists (opened now or by a concurrent retry of the same event). */
  private async openCase(
    checkout: Checkout,
    result: PipelineResult,
    reasons: Reason[],
    caseId: string,
  ): Promise<boolean> {
    const score = result.score;
    const amountEur = toEur(checkout.booking.amount, checkout.booking.currency);
    const createdAt = this.deps.now();
    try {
      const opened = await this.deps.queue.open({
        caseId,
        eventId: checkout.event_id,
        userId: checkout.user.id,
        paymentInstrumentId: checkout.payment.instrument_id,
        score,
        amountEur,
        priority: (score ?? 1) * amountEur,
        reasons,
        features: result.featureRecord,
        rules: result.rules.map((r) => ({ id: r.id, action: r.action, shadow: r.shadow })),
        createdAt,
        slaDeadline: createdAt + this.deps.reviewSlaMs,
      });
      if (opened) this.deps.metrics.reviewCasesOpened.inc();
      return true;
    } catch (err) {
      this.deps.onError("review_queue", err);
      return false;
    }
  }

  /** The scored checkout counts in the velocity features, so the next checkout of a burst sees it. */
  private async recordVelocity(checkout: Checkout) {
    try {
      await this.deps.store.apply(update({ type: "checkout", ...checkout }));
    } catch (err) {
      this.deps.onError("velocity_update", err);
    }
  }
}

const OVERLOAD_REASON: Reason = {
  code: "OVERLOAD",
  detail:
    "the service is over capacity: decided by the rules on request-time data (no stored features, no model)",
};
