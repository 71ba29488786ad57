import { Checkout, decodeCheckout } from "@riskgate/feature-store/events";
import type { FastifyInstance } from "fastify";
import type { ApiKey } from "../auth/api-keys.ts";
import { requireScope } from "../auth/require-scope.ts";
import type { ScoreService } from "../scoring/score-service.ts";
import { ErrorBody, ScoreResponseSchema } from "./schemas.ts";

const errors = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  409: ErrorBody,
  413: ErrorBody,
  415: ErrorBody,
};

export function scoreRoutes(app: FastifyInstance, deps: { scorer: ScoreService; keys: readonly ApiKey[] }) {
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
        response: { 200: ScoreResponseSchema, ...errors },
      },
    },
    async (req) => deps.scorer.score(decodeCheckout(req.body)),
  );
}
