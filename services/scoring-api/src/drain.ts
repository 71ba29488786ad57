import type { Server } from "node:http";
import type { Logger } from "@riskgate/common/logger";
import type { Closer } from "@riskgate/common/shutdown";
import type { FastifyInstance } from "fastify";

/** The readiness problem from the first shutdown signal on. */
export const SHUTTING_DOWN = "shutting_down";

// Past a step's own wait, what its closer's deadline leaves for the step itself to end.
const DEADLINE_MARGIN_MS = 5_000;

/**
 * Stopping behind a load balancer (Kubernetes, an ALB): the balancer stops sending checkouts only
 * once it has seen /readyz fail, seconds after the signal, and a port closed before that turns
 * those checkouts into connection errors. From `begin()` on, readiness reports `shutting_down`
 * while every route keeps answering.
 */
export class Drain {
  #began = false;

  /** Readiness turns 503 now; idempotent. */
  begin(): void {
    this.#began = true;
  }

  problems(): string[] {
    return this.#began ? [SHUTTING_DOWN] : [];
  }
}

/**
 * The first two steps of the service's shutdown: drain (readiness 503, everything still served for
 * `drainMs`), then close the listener and wait for the requests in flight, at most `inFlightMs`.
 */
export function drainClosers(
  app: FastifyInstance,
  drain: Drain,
  opts: { drainMs: number; inFlightMs: number; logger: Logger },
): Closer[] {
  const { drainMs, inFlightMs, logger } = opts;
  return [
    {
      name: "drain",
      deadlineMs: drainMs + DEADLINE_MARGIN_MS,
      close: async () => {
        drain.begin();
        closeConnectionsAfterEachAnswer(app.server);
        if (drainMs === 0) return;
        logger.info({ drainMs }, "draining: /readyz answers 503 shutting_down, every route still answers");
        await new Promise((resolve) => setTimeout(resolve, drainMs));
      },
    },
    {
      name: "http server",
      deadlineMs: inFlightMs + DEADLINE_MARGIN_MS,
      close: () => closeListener(app, inFlightMs, logger),
    },
  ];
}

/**
 * A keep-alive client would go on sending on its connection until the listener closes it, and a
 * request sent as it closes is reset. Each answer from now on says Connection: close, so the
 * client's next request opens a new connection, which the balancer sends to another replica. A
 * listener added now, not a hook: no cost per request while the service serves.
 */
function closeConnectionsAfterEachAnswer(server: Server): void {
  server.prependListener("request", (_req, res) => res.setHeader("connection", "close"));
}

/**
 * app.close() stops accepting, closes idle connections and waits for the requests in flight. One
 * that never ends (a client stalled mid-body) would hold every step after it until the closer's
 * deadline, and the process would exit 1; past `inFlightMs` such connections are cut instead.
 */
async function closeListener(app: FastifyInstance, inFlightMs: number, logger: Logger): Promise<void> {
  const cut = setTimeout(() => {
    logger.warn({ inFlightMs }, "requests still in flight: closing their connections");
    app.server.closeAllConnections();
  }, inFlightMs);
  try {
    await app.close();
  } finally {
    clearTimeout(cut);
  }
}
