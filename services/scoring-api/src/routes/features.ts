import type { FeatureSet } from "@riskgate/feature-store/definitions";
import { decodeCheckout, decodeEvent } from "@riskgate/feature-store/events";
import type { OnlineStore } from "@riskgate/feature-store/online";
import { readCheckoutFeatures } from "@riskgate/feature-store/online";
import { update } from "@riskgate/feature-store/update";
import type { FastifyInstance } from "fastify";
import type { ApiKey } from "../auth/api-keys.ts";
import { requireScope } from "../auth/require-scope.ts";

export interface FeatureRouteDeps {
  readonly store: OnlineStore;
  readonly features: FeatureSet;
  readonly keys: readonly ApiKey[];
}

/**
 * Feature read (what the model would see for a checkout) and event intake for the embedded
 * default, where no Kafka runs: the same contracts and the same `update` as the Kafka consumer.
 */
export function featureRoutes(app: FastifyInstance, deps: FeatureRouteDeps) {
  // Reading features is what scoring does; writing events changes what every later score sees.
  app.post("/v1/features", { onRequest: requireScope(deps.keys, "score") }, async (req) => {
    const checkout = decodeCheckout(req.body);
    const vector = await readCheckoutFeatures(deps.store, deps.features, checkout);
    return {
      event_id: checkout.event_id,
      feature_set: deps.features.version,
      features: deps.features.toRecord(vector),
      missing: vector.missing,
      stale: vector.stale,
    };
  });

  app.post("/v1/events", { onRequest: requireScope(deps.keys, "admin") }, async (req, reply) => {
    const event = decodeEvent(req.body);
    const result = await deps.store.apply(update(event));
    const outcome = result.outcomes.includes("applied") ? "applied" : (result.outcomes[0] ?? "applied");
    return reply.code(outcome === "applied" ? 202 : 200).send({ event_id: event.event_id, outcome });
  });
}
