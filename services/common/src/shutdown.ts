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
  deadlineMs = 10_000,
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
