import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import type { Registry } from "prom-client";
import type { Logger } from "../../common/src/logger.ts";
import { installErrorHandling } from "./http-errors.ts";
import { type FeatureRouteDeps, featureRoutes } from "./routes/features.ts";
import { healthRoutes, type Readiness } from "./routes/health.ts";

export interface AppDeps extends FeatureRouteDeps {
  readonly logger: Logger;
  readonly registry: Registry;
  readonly readiness: Readiness;
  /** Largest accepted request body; a checkout is a few hundred bytes. */
  readonly bodyLimitBytes: number;
}

/** Builds the HTTP app from ready-made dependencies; listening is main.ts's job. */
export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.bodyLimitBytes, // Per-request log lines cost more than a score; the metrics carry latency and outcomes.
    logController: new LogController({ disableRequestLogging: true }),
  }) as unknown as FastifyInstance;
  installErrorHandling(app);
  healthRoutes(app, deps);
  featureRoutes(app, deps);
  return app;
}
