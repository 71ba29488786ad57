import type { FastifyInstance } from "fastify";
import type { Registry } from "prom-client";

export interface Readiness {
  /** Why the service is not ready, or an empty list when it is. */
  problems(): Promise<string[]>;
}

export function healthRoutes(app: FastifyInstance, deps: { readiness: Readiness; registry: Registry }) {
  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_req, reply) => {
    const problems = await deps.readiness.problems();
    return reply.code(problems.length === 0 ? 200 : 503).send({ ready: problems.length === 0, problems });
  });
  app.get("/metrics", async (_req, reply) => {
    reply.header("content-type", deps.registry.contentType);
    return deps.registry.metrics();
  });
}
