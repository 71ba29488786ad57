import type { Logger } from "./logger.ts";

export interface Closer {
  readonly name: string;
  close(): Promise<void>;
  /**
   * Its own deadline, for a step that waits on purpose longer than the shared one (the scoring
   * API's drain). Unset: the deadline onShutdownSignal was given.
   */
  readonly deadlineMs?: number;
}

/** How long a closer without a `deadlineMs` of its own may take. */
export const DEFAULT_CLOSE_DEADLINE_MS = 10_000;
/**
 * How long the closers without a `deadlineMs` of their own may take together. Each healthy close
 * takes milliseconds; only a hung Redis, broker or collector runs into a deadline, and one hang
 * usually means the next resource on the same network hangs too. Without a shared budget the worst
 * case was the sum of every step's deadline (11 steps: 110 s), which an orchestrator's grace
 * period must cover; with it, two hung steps spend it and the rest get what is left.
 */
export const DEFAULT_CLOSE_BUDGET_MS = 20_000;

/**
 * The longest a shutdown through onShutdownSignal can take: the closers with deadlines of their own
 * run into them, the others into the shared budget. An orchestrator that kills sooner (Kubernetes'
 * terminationGracePeriodSeconds) cuts the steps left, whatever they were flushing; the services log
 * it at start for that reason.
 */
export function shutdownDeadlineMs(
  closers: readonly Closer[],
  deadlineMs = DEFAULT_CLOSE_DEADLINE_MS,
  budgetMs = DEFAULT_CLOSE_BUDGET_MS,
): number {
  const own = closers.reduce((sum, c) => sum + (c.deadlineMs ?? 0), 0);
  const shared = closers.filter((c) => c.deadlineMs === undefined).length * deadlineMs;
  return own + Math.min(shared, budgetMs);
}

/** Where termination signals arrive: the process in main.ts, any emitter in tests. */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
}

/**
 * Closes resources in order on SIGTERM/SIGINT, each within a deadline: its own, or `deadlineMs` and
 * what is left of `budgetMs`, shared by the closers without one of their own (a closer past the
 * budget is still called, so it can send what it can, but not waited for). Resolves with the exit
 * code for main.ts to use. A second signal skips what is left. `closers` may be a function, read once
 * at the signal: a service listening for signals from its first line closes what exists by then.
 */
export function onShutdownSignal(
  logger: Logger,
  closers: readonly Closer[] | (() => readonly Closer[]),
  deadlineMs = DEFAULT_CLOSE_DEADLINE_MS,
  signals: SignalSource = process,
  budgetMs = DEFAULT_CLOSE_BUDGET_MS,
): Promise<number> {
  return new Promise((resolve) => {
    let closing = false;
    const handler = async (signal: NodeJS.Signals) => {
      if (closing) {
        logger.warn({ signal }, "second signal: exiting without finishing shutdown");
        resolve(1);
        return;
      }
      closing = true;
      logger.info({ signal }, "shutting down");
      let code = 0;
      let budgetLeft = budgetMs;
      for (const c of typeof closers === "function" ? closers() : closers) {
        const shared = c.deadlineMs === undefined;
        const ms = shared ? Math.max(0, Math.min(deadlineMs, budgetLeft)) : (c.deadlineMs as number);
        const started = Date.now();
        try {
          await withDeadline(c, ms);
          logger.info({ resource: c.name }, "closed");
        } catch (err) {
          code = 1;
          logger.error({ resource: c.name, err }, "failed to close");
        } finally {
          if (shared) budgetLeft -= Date.now() - started;
        }
      }
      resolve(code);
    };
    signals.on("SIGTERM", handler);
    signals.on("SIGINT", handler);
  });
}

/**
 * The deadline timer keeps the event loop alive on purpose: a close() stuck on a promise that holds
 * no handle would otherwise let the process end mid-shutdown, skipping the closers after it.
 */
async function withDeadline(c: Closer, deadlineMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      c.close(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                deadlineMs === 0
                  ? `${c.name}: not waited for, the shutdown's close budget is spent`
                  : `${c.name}: not closed within ${deadlineMs} ms`,
              ),
            ),
          deadlineMs,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
