import { Type } from "@sinclair/typebox";
import type { Registry } from "prom-client";
import { SHUTTING_DOWN } from "../drain.ts";
import type { TypedApp } from "./typed-app.ts";

export interface Readiness {
  /** Why the service is not ready, or an empty list when it is. */
  problems(): Promise<string[]>;
  /**
   * Dependencies the service runs without right now (Redis away, a breaker open). They do not make
   * it unready: it still decides, in degraded mode, and taking every replica out of the load
   * balancer during a shared outage would turn degraded answers into no answers.
   */
  degraded?(): string[];
}

type ReadinessAnswer = { ready: boolean; problems: string[]; degraded?: string[] };

const ReadinessBody = (description: string, example: ReadinessAnswer) =>
  Type.Object(
    {
      ready: Type.Boolean(),
      problems: Type.Array(Type.String(), {
        description: "Why it is not ready: `shutting_down` from the first SIGTERM on (the drain)",
      }),
      degraded: Type.Optional(
        Type.Array(Type.String(), { description: "Dependencies it decides without right now" }),
      ),
    },
    { description, examples: [example] },
  );

const tags = ["operations"];

export function healthRoutes(
  app: TypedApp,
  deps: {
    readiness: Readiness;
    registry: Registry;
    metricsRoute: boolean;
    /** The exposition text; with SCORING_WORKERS > 1 the sum over all workers. Default: the registry's. */
    metricsText?: () => Promise<string>;
  },
) {
  const metricsText = deps.metricsText ?? (() => deps.registry.metrics());
  app.get(
    "/healthz",
    {
      schema: {
        summary: "Liveness: the process answers",
        tags,
        response: { 200: Type.Object({ status: Type.Literal("ok") }) },
      },
    },
    async () => ({ status: "ok" as const }),
  );
  app.get(
    "/readyz",
    {
      schema: {
        summary: "Readiness: 200 while it decides, degraded or not; 503 once it is stopping",
        tags,
        response: {
          200: ReadinessBody("Ready, perhaps degraded", { ready: true, problems: [], degraded: ["kafka"] }),
          503: ReadinessBody(
            "Not ready: problems says why. From the first SIGTERM it still answers every route for " +
              "SHUTDOWN_DRAIN_MS, so a load balancer takes it out of rotation before the port closes",
            { ready: false, problems: [SHUTTING_DOWN] },
          ),
        },
      },
    },
    async (_req, reply) => {
      const problems = await deps.readiness.problems();
      const degraded = deps.readiness.degraded?.() ?? [];
      const body = { ready: problems.length === 0, problems, ...(degraded.length > 0 ? { degraded } : {}) };
      return problems.length === 0 ? reply.code(200).send(body) : reply.code(503).send(body);
    },
  );
  if (!deps.metricsRoute) return;
  app.get(
    "/metrics",
    {
      schema: {
        summary: "Prometheus metrics",
        tags,
        response: {
          200: {
            description: "Prometheus text exposition format",
            content: { "text/plain": { schema: Type.String() } },
          },
        },
      },
    },
    async (_req, reply) => {
      reply.header("content-type", deps.registry.contentType);
      return metricsText();
    },
  );
}
