import type { FeatureSet, FeatureVector } from "@riskgate/feature-store/definitions";
import { AnyEvent, Checkout, type DomainEvent } from "@riskgate/feature-store/events";
import type { ApplyResult, EventUpdate } from "@riskgate/feature-store/online";
import { update } from "@riskgate/feature-store/update";
import { Type } from "@sinclair/typebox";
import type { ApiKey } from "../auth/api-keys.ts";
import { requireScope } from "../auth/require-scope.ts";
import { featureStoreCall } from "./feature-store-call.ts";
import { AUTH_ERRORS, EVENT_BODY_ERRORS, errorResponses } from "./schemas.ts";
import type { TypedApp } from "./typed-app.ts";

/** The store calls are bounded by FEATURE_TIMEOUT_MS and stay outside scoring's Redis breaker. */
export interface FeatureRouteDeps {
  readonly features: FeatureSet;
  /** The scoring path's feature read within its budget. */
  readonly readFeatures: (checkout: Checkout) => Promise<FeatureVector>;
  /** One event applied to the store, within the same budget. */
  readonly applyEvent: (update: EventUpdate) => Promise<ApplyResult>;
  /** Sent with a 503 when the store does not answer. */
  readonly retryAfterSeconds: number;
  readonly keys: readonly ApiKey[];
}

const FeatureRead = Type.Object({
  event_id: Type.String(),
  feature_set: Type.String({ description: "Hash of the feature definitions served" }),
  features: Type.Record(Type.String(), Type.Number(), { description: "Feature values in model input order" }),
  missing: Type.Array(Type.String(), { description: "Features served their default: no data" }),
  stale: Type.Array(Type.String(), { description: "Features served their default: data older than max age" }),
});

const Outcome = (outcomes: string[], description: string) =>
  Type.Object(
    {
      event_id: Type.String(),
      outcome: Type.Union(outcomes.map((o) => Type.Literal(o))),
    },
    { description },
  );

const security = [{ bearer: [] }];
const tags = ["features"];

/**
 * Feature read (what the model would see for a checkout) and event intake for the embedded
 * default, where no Kafka runs: the same contracts and the same `update` as the Kafka consumer.
 */
export function featureRoutes(app: TypedApp, deps: FeatureRouteDeps) {
  // Reading features is what scoring does; writing events changes what every later score sees.
  app.post(
    "/v1/features",
    {
      onRequest: requireScope(deps.keys, "score"),
      schema: {
        summary: "The features a checkout would be scored with",
        tags,
        security,
        body: Checkout,
        response: {
          200: FeatureRead,
          ...errorResponses(...AUTH_ERRORS, ...EVENT_BODY_ERRORS, "features_unavailable"),
        },
      },
    },
    async (req, reply) => {
      const checkout = req.body;
      const vector = await featureStoreCall(reply, deps.retryAfterSeconds, deps.readFeatures(checkout));
      return {
        event_id: checkout.event_id,
        feature_set: deps.features.version,
        features: deps.features.toRecord(vector),
        missing: [...vector.missing],
        stale: [...vector.stale],
      };
    },
  );

  app.post(
    "/v1/events",
    {
      onRequest: requireScope(deps.keys, "admin"),
      schema: {
        summary: "Apply one event to the feature store",
        description:
          "Any event type of the Kafka input topics, decoded by the same contracts. 202 when applied; 200 when " +
          "already seen (duplicate) or older than the entity's retained history (too_late). 503 with " +
          "`Retry-After` when the store does not answer in time: the event may have been applied or not, and " +
          "sending it again is safe (an applied one answers 200 duplicate).",
        tags,
        security,
        body: AnyEvent,
        response: {
          200: Outcome(["duplicate", "too_late"], "Not applied: already seen, or too late"),
          202: Outcome(["applied"], "Applied"),
          ...errorResponses(
            ...AUTH_ERRORS,
            ...EVENT_BODY_ERRORS,
            "not_an_object",
            "unknown_event_type",
            "features_unavailable",
          ),
        },
      },
    },
    async (req, reply) => {
      // The schema documents the union; the decoder dispatched on `type` to one event's contract.
      const event = req.body as DomainEvent;
      const result = await featureStoreCall(reply, deps.retryAfterSeconds, deps.applyEvent(update(event)));
      const outcome = result.outcomes.includes("applied") ? "applied" : (result.outcomes[0] ?? "applied");
      return outcome === "applied"
        ? reply.code(202).send({ event_id: event.event_id, outcome })
        : reply.code(200).send({ event_id: event.event_id, outcome });
    },
  );
}
