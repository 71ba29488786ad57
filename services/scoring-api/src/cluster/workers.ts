import cluster from "node:cluster";
import type { Logger } from "@riskgate/common/logger";
import { AggregatorRegistry, type Registry } from "prom-client";

// SCORING_WORKERS > 1: node:cluster. The primary only forks, restarts and stops the workers and
// aggregates their metrics; the workers each run the whole service (main.ts) and share the port.
const METRICS_REQUEST = "riskgate:metrics-request";
const METRICS_REPLY = "riskgate:metrics-reply";

interface MetricsRequest {
  type: typeof METRICS_REQUEST;
  id: number;
}
interface MetricsReply {
  type: typeof METRICS_REPLY;
  id: number;
  text?: string;
  error?: string;
}

/**
 * Runs in the primary until SIGTERM (passed on to every worker) or SIGINT; resolves with the
 * exit code once they have all exited (1 if any failed to shut down cleanly). A second signal is
 * passed on too, and cuts their shutdown short. A worker that dies on its own is replaced.
 */
export function superviseWorkers(opts: {
  workers: number;
  logger: Logger;
  env: Record<string, string>;
}): Promise<number> {
  const { logger } = opts;
  // Asks every worker for its registries and sums counters and histograms across them.
  const aggregator = new AggregatorRegistry();
  cluster.on("message", (worker, msg: MetricsRequest) => {
    if (msg?.type !== METRICS_REQUEST) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: METRICS_REPLY, id: msg.id, text } satisfies MetricsReply),
      (err: Error) =>
        worker.send({ type: METRICS_REPLY, id: msg.id, error: err.message } satisfies MetricsReply),
    );
  });
  const fork = () => cluster.fork(opts.env);
  for (let i = 0; i < opts.workers; i++) fork();
  return new Promise((resolve) => {
    let stopping = false;
    let code = 0;
    // node:cluster drops a worker from cluster.workers once it has both exited and disconnected,
    // in either order, before the later of the two events: so check after each. Checking on
    // "exit" alone missed a worker that exited before it disconnected; the promise then never
    // settled and the primary ended with code 13 (an unsettled top-level await) under load.
    const settleWhenAllGone = () => {
      if (stopping && Object.keys(cluster.workers ?? {}).length === 0) resolve(code);
    };
    cluster.on("exit", (worker, exitCode, signal) => {
      if (!stopping) {
        logger.error({ pid: worker.process.pid, exitCode, signal }, "scoring worker died; starting another");
        fork();
        return;
      }
      if (exitCode !== 0) code = 1;
      settleWhenAllGone();
    });
    cluster.on("disconnect", settleWhenAllGone);
    // Each worker drains and shuts down on its own signal (main.ts): all of them answer /readyz 503
    // and keep serving for SHUTDOWN_DRAIN_MS, while this primary keeps handing them connections.
    const stop = (signal: NodeJS.Signals) => {
      const again = stopping;
      stopping = true;
      const workers = Object.values(cluster.workers ?? {});
      if (again) logger.warn({ signal }, "second signal: the workers exit without finishing their shutdown");
      else logger.info({ signal, workers: workers.length }, "stopping scoring workers");
      // Ctrl-C in a terminal sends SIGINT to the whole process group: the workers have it already,
      // and a second signal would cut their graceful shutdown short. SIGTERM (an orchestrator)
      // reaches the primary alone. A second signal is passed on whatever it is: it is meant to cut
      // the shutdown short, and one more after that changes nothing.
      if (signal === "SIGTERM" || again) for (const w of workers) w?.process.kill(signal);
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
}

/**
 * In a worker: its registry answers the primary's aggregation, and /metrics serves the sum over
 * all workers (any one of them may be the one Prometheus reaches). Outside a cluster: the registry.
 */
export function clusterMetrics(registry: Registry, timeoutMs = 5_000): () => Promise<string> {
  if (!cluster.isWorker) return () => registry.metrics();
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one installs prom-client's listener that answers the primary with this registry.
  new AggregatorRegistry();
  let next = 0;
  const pending = new Map<number, (reply: MetricsReply) => void>();
  process.on("message", (msg: MetricsReply) => {
    if (msg?.type === METRICS_REPLY) pending.get(msg.id)?.(msg);
  });
  return () =>
    new Promise((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error("the primary did not answer with the aggregated metrics"));
      }, timeoutMs);
      pending.set(id, (reply) => {
        clearTimeout(timer);
        pending.delete(id);
        if (reply.text !== undefined) resolve(reply.text);
        else reject(new Error(reply.error ?? "metrics aggregation failed"));
      });
      process.send?.({ type: METRICS_REQUEST, id } satisfies MetricsRequest);
    });
}
