import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { Logger } from "@riskgate/common/logger";
import type { EventDecodeError } from "@riskgate/feature-store/events";
import type { Admission as EventAdmission } from "@riskgate/feature-store/update";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import type { Registry } from "prom-client";
import type { ApiKey } from "./auth/api-keys.ts";
import { registerConsoleAssets } from "./console/static-assets.ts";
import { frameworkError, installErrorHandling } from "./http-errors.ts";
import { contractValidator } from "./http-validation.ts";
import type { ReviewService } from "./review/review-service.ts";
import { type AdminRouteDeps, adminRoutes } from "./routes/admin.ts";
import { type ConsoleRouteDeps, consoleRoutes } from "./routes/console.ts";
import { type FeatureRouteDeps, featureRoutes } from "./routes/features.ts";
import { healthRoutes, type Readiness } from "./routes/health.ts";
import { reviewRoutes } from "./routes/review.ts";
import { type ScoreRouteDeps, scoreRoutes } from "./routes/score.ts";
import type { ScoreService } from "./scoring/score-service.ts";

export interface AppDeps extends FeatureRouteDeps, AdminRouteDeps, ConsoleRouteDeps, ScoreRouteDeps {
  readonly logger: Logger;
  readonly registry: Registry;
  /** Serves /metrics (cluster/workers.ts aggregates across workers); unset: the registry's text. */
  readonly metricsText?: () => Promise<string>;
  readonly readiness: Readiness;
  readonly scorer: ScoreService;
  readonly review: ReviewService;
  readonly keys: readonly ApiKey[];
  /** False when METRICS_PORT serves /metrics on a port of its own. Default: true. */
  readonly metricsRoute?: boolean;
  /** Largest accepted request body; a checkout is a few hundred bytes. */
  readonly bodyLimitBytes: number;
  /** Future events refused, identifiers pseudonymised: what the consumer does, for bodies here. */
  readonly eventAdmission: EventAdmission;
  /** A body refused by the event decoders or admission, by code (a metric). */
  readonly onEventRefused: (code: EventDecodeError["code"]) => void;
}

const MAX_PATH_PARAM_LENGTH = 256;

/** Builds the HTTP app from ready-made dependencies; listening is run.ts's job. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.bodyLimitBytes,
    // A case id is `rc_` + an event id of up to 128 characters: the router's default of 100 would
    // answer 414 on every review route for long event ids.
    routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
    // Past it, and for URLs that do not decode: a catalogue error naming `url`, not Fastify's body.
    frameworkErrors: frameworkError,
    // Per-request log lines cost more than a score; the metrics carry latency and outcomes.
    logController: new LogController({ disableRequestLogging: true }),
    // Without request log lines a per-request child logger (its reqId binding run through the
    // redaction paths) has nothing to correlate, and cost ~1.5 % of a checkout's CPU: requests
    // log through the app's logger.
    childLoggerFactory: (logger) => logger,
  }) as unknown as FastifyInstance;
  // Each route's TypeBox schema is its validator, through the event decoders the Kafka consumer
  // runs (unknown fields rejected, dates checked, card numbers refused), never coerced or stripped.
  app.setValidatorCompiler(contractValidator(deps.eventAdmission, deps.onEventRefused));
  // Every body is JSON; a text/plain checkout should hear "wrong media type", not "expected object".
  app.removeContentTypeParser("text/plain");
  installErrorHandling(app);
  await app.register(swagger, {
    openapi: {
      // TypeBox writes JSON Schema 2020-12 (numeric exclusiveMinimum, null as a type), OpenAPI 3.1's dialect.
      openapi: "3.1.0",
      info: { title: "riskgate", version: "1", description: "Real-time fraud scoring for checkouts" },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  healthRoutes(api, { ...deps, metricsRoute: deps.metricsRoute ?? true });
  featureRoutes(api, deps);
  scoreRoutes(api, deps);
  reviewRoutes(api, deps);
  adminRoutes(api, deps);
  consoleRoutes(api, deps);
  if (!registerConsoleAssets(app)) {
    deps.logger.warn("the console is not built (npm run build:console): /console is not served");
  }
  return app;
}
