import type { FastifyInstance } from "fastify";
import type { Registry } from "prom-client";

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

export function healthRoutes(app: FastifyInstance, deps: { readiness: Readiness; registry: Registry }) {
  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_req, reply) => {
    const problems = await deps.readiness.problems();
    const degraded = deps.readiness.degraded?.() ?? [];
    return reply
      .code(problems.length === 0 ? 200 : 503)
      .send({ ready: problems.length === 0, problems, ...(degraded.length > 0 ? { degraded } : {}) });
  });
  app.get("/metrics", async (_req, reply) => {
    reply.header("content-type", deps.registry.contentType);
    return deps.registry.metrics();
  });
}
