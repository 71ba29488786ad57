import { Checkout } from "@riskgate/feature-store/events";
import type { ApiKey } from "../auth/api-keys.ts";
import { requireScope } from "../auth/require-scope.ts";
import type { ScoreService } from "../scoring/score-service.ts";
import { AUTH_ERRORS, BODY_ERRORS, errorResponses, ScoreResponseSchema } from "./schemas.ts";
import type { TypedApp } from "./typed-app.ts";

export function scoreRoutes(app: TypedApp, deps: { scorer: ScoreService; keys: readonly ApiKey[] }) {
  app.post(
    "/v1/score",
    {
      onRequest: requireScope(deps.keys, "score"),
      schema: {
        summary: "Score a checkout",
        description:
          "Returns allow, review or block with a calibrated fraud probability, reasons and the versions that decided. " +
          "The same event_id again returns the same decision (never a second review case); the same event_id with " +
          "another body is a 409.",
        security: [{ bearer: [] }],
        body: Checkout,
        response: {
          200: ScoreResponseSchema,
          ...errorResponses(...AUTH_ERRORS, ...BODY_ERRORS, "idempotency_conflict"),
        },
      },
    },
    async (req) => deps.scorer.score(req.body),
  );
}
