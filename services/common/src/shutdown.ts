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
 * The longest a shutdown through onShutdownSignal can take: every closer, one after the other, runs
 * into its deadline. An orchestrator that kills sooner (Kubernetes' terminationGracePeriodSeconds)
 * cuts the steps left, whatever they were flushing; the services log it at start for that reason.
 */
export function shutdownDeadlineMs(
  closers: readonly Closer[],
  deadlineMs = DEFAULT_CLOSE_DEADLINE_MS,
): number {
  return closers.reduce((sum, c) => sum + (c.deadlineMs ?? deadlineMs), 0);
}

/** Where termination signals arrive: the process in main.ts, any emitter in tests. */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
}

/**
 * Closes resources in order on SIGTERM/SIGINT, each within a deadline (its own, or `deadlineMs`),
 * then resolves with the exit code for main.ts to use. A second signal skips what is left.
 */
export function onShutdownSignal(
  logger: Logger,
  closers: readonly Closer[],
  deadlineMs = DEFAULT_CLOSE_DEADLINE_MS,
  signals: SignalSource = process,
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
      for (const c of closers) {
        try {
          await withDeadline(c, c.deadlineMs ?? deadlineMs);
          logger.info({ resource: c.name }, "closed");
        } catch (err) {
          code = 1;
          logger.error({ resource: c.name, err }, "failed to close");
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
          () => reject(new Error(`${c.name}: not closed within ${deadlineMs} ms`)),
          deadlineMs,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
