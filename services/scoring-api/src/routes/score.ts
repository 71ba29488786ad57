import { Checkout } from "@riskgate/feature-store/events";
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from "fastify";
import type { ApiKey } from "../auth/api-keys.ts";
import { requireScope } from "../auth/require-scope.ts";
import type { Admission } from "../resilience/admission.ts";
import type { ScoreService } from "../scoring/score-service.ts";
import { AUTH_ERRORS, EVENT_BODY_ERRORS, errorResponses, ScoreResponseSchema } from "./schemas.ts";
import type { TypedApp } from "./typed-app.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** Admission control answered this checkout from request-time data only. */
    overloaded: boolean;
  }
}

export interface ScoreRouteDeps {
  readonly scorer: ScoreService;
  readonly keys: readonly ApiKey[];
  readonly admission: Admission;
  readonly retryAfterSeconds: number;
  /** Counts checkouts past an admission bound. */
  onAdmission(level: "degraded" | "shed"): void;
}

export function scoreRoutes(app: TypedApp, deps: ScoreRouteDeps) {
  app.decorateRequest("overloaded", false);
  const { scorer, admission } = deps;
  app.post(
    "/v1/score",
    {
      // Admission first: a shed request costs no key check and no body parsing.
      onRequest: [admit(deps), requireScope(deps.keys, "score")],
      schema: {
        summary: "Score a checkout",
        description:
          "Returns allow, review or block with a calibrated fraud probability, reasons and the versions that decided. " +
          "The same event_id again returns the same decision (never a second review case); the same event_id with " +
          "another body is a 409. Over capacity the answer comes from the rules on request-time data " +
          "(`mode: degraded`, reason `OVERLOAD`), and further over it is a 503 with `Retry-After`.",
        security: [{ bearer: [] }],
        body: Checkout,
        response: {
          200: ScoreResponseSchema,
          ...errorResponses(...AUTH_ERRORS, ...EVENT_BODY_ERRORS, "idempotency_conflict", "overloaded"),
        },
      },
    },
    (req) => admission.track(() => scorer.score(req.body, req.overloaded), req.overloaded),
  );
}

function admit(deps: ScoreRouteDeps) {
  // Prebuilt: shedding must cost next to nothing, it happens when there is no CPU to spare.
  const body = JSON.stringify({
    error: {
      code: "overloaded",
      message: `the scoring service is over capacity; retry after ${deps.retryAfterSeconds} s`,
    },
  });
  const retryAfter = String(deps.retryAfterSeconds);
  return (req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    const level = deps.admission.level();
    if (level === "normal") return done();
    if (level === "degrade") {
      req.overloaded = true;
      deps.onAdmission("degraded");
      return done();
    }
    deps.onAdmission("shed");
    reply.code(503).header("retry-after", retryAfter).type("application/json; charset=utf-8").send(body);
  };
}
