import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { Logger } from "@riskgate/common/logger";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import type { Registry } from "prom-client";
import type { ApiKey } from "./auth/api-keys.ts";
import { installErrorHandling } from "./http-errors.ts";
import type { ReviewService } from "./review/review-service.ts";
import { type AdminRouteDeps, adminRoutes } from "./routes/admin.ts";
import { type FeatureRouteDeps, featureRoutes } from "./routes/features.ts";
import { healthRoutes, type Readiness } from "./routes/health.ts";
import { reviewRoutes } from "./routes/review.ts";
import { scoreRoutes } from "./routes/score.ts";
import type { ScoreService } from "./scoring/score-service.ts";

export interface AppDeps extends FeatureRouteDeps, AdminRouteDeps {
  readonly logger: Logger;
  readonly registry: Registry;
  readonly readiness: Readiness;
  readonly scorer: ScoreService;
  readonly review: ReviewService;
  readonly keys: readonly ApiKey[];
  /** Largest accepted request body; a checkout is a few hundred bytes. */
  readonly bodyLimitBytes: number;
}

/** Builds the HTTP app from ready-made dependencies; listening is main.ts's job. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.bodyLimitBytes,
    // Per-request log lines cost more than a score; the metrics carry latency and outcomes.
    logController: new LogController({ disableRequestLogging: true }),
  }) as unknown as FastifyInstance;
  // Route schemas document the API; bodies are validated by the event decoders, the same code the
  // Kafka consumer runs (unknown fields rejected, dates checked, card numbers refused), never
  // coerced or stripped by Ajv.
  app.setValidatorCompiler(() => () => true);
  // Every body is JSON; a text/plain checkout should hear "wrong media type", not "expected object".
  app.removeContentTypeParser("text/plain");
  installErrorHandling(app);
  await app.register(swagger, {
    openapi: {
      info: { title: "riskgate", version: "1", description: "Real-time fraud scoring for checkouts" },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
  healthRoutes(app, deps);
  featureRoutes(app, deps);
  scoreRoutes(app, deps);
  reviewRoutes(app, deps);
  adminRoutes(app, deps);
  return app;
}
