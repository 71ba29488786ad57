import cluster from "node:cluster";
import type { Logger } from "@riskgate/common/logger";
import type { SignalSource } from "@riskgate/common/shutdown";
import { AggregatorRegistry, type Registry } from "prom-client";

// SCORING_WORKERS > 1: node:cluster. The primary only forks, restarts and stops the workers and
// aggregates their metrics; the workers each run the whole service (main.ts, run.ts) and share the port.
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
  /** Where SIGTERM and SIGINT arrive (main.ts: a SignalLatch on the process). */
  signals: SignalSource;
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
  // The workers whose process has not exited yet. node:cluster's own list (cluster.workers) drops a
  // worker only once it has both exited and disconnected, and the disconnect never comes when the
  // worker dies while a connection handed to it is not yet acknowledged (child_process keeps the
  // channel's _handleQueue and skips the event): waiting for that list to empty, the primary could
  // be left on an empty event loop, which Node ends with code 13 (an unsettled top-level await).
  // The exit always comes.
  const live = new Set<ReturnType<typeof cluster.fork>>();
  const fork = () => live.add(cluster.fork(opts.env));
  for (let i = 0; i < opts.workers; i++) fork();
  return new Promise((resolve) => {
    let stopping = false;
    let code = 0;
    cluster.on("exit", (worker, exitCode, signal) => {
      live.delete(worker);
      if (!stopping) {
        logger.error({ pid: worker.process.pid, exitCode, signal }, "scoring worker died; starting another");
        fork();
        return;
      }
      // Ended by the stop signal itself: it had not yet reached main.ts's first line, which takes
      // the signals, so it had opened and served nothing. Any later worker exits with its own code.
      const stoppedBeforeStart = exitCode === null && (signal === "SIGTERM" || signal === "SIGINT");
      if (exitCode !== 0 && !stoppedBeforeStart) code = 1;
      if (live.size === 0) resolve(code);
    });
    // Each worker drains and shuts down on its own signal (run.ts): all of them answer /readyz 503
    // and keep serving for SHUTDOWN_DRAIN_MS, while this primary keeps handing them connections.
    const stop = (signal: NodeJS.Signals) => {
      const again = stopping;
      stopping = true;
      const workers = [...live];
      if (again) logger.warn({ signal }, "second signal: the workers exit without finishing their shutdown");
      else logger.info({ signal, workers: workers.length }, "stopping scoring workers");
      // Ctrl-C in a terminal sends SIGINT to the whole process group: the workers have it already,
      // and a second signal would cut their graceful shutdown short. SIGTERM (an orchestrator)
      // reaches the primary alone. A second signal is passed on whatever it is: it is meant to cut
      // the shutdown short, and one more after that changes nothing.
      if (signal === "SIGTERM" || again) for (const w of workers) w.process.kill(signal);
    };
    opts.signals.on("SIGTERM", stop);
    opts.signals.on("SIGINT", stop);
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
