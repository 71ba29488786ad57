import type { Logger } from "./logger.ts";
import {
  type Closer,
  DEFAULT_CLOSE_DEADLINE_MS,
  onShutdownSignal,
  type SignalSource,
  shutdownDeadlineMs,
} from "./shutdown.ts";

/** What a service's start-up is handed by runUntilShutdown. */
export interface StartUp {
  /** True once a stop signal has arrived: the start-up returns at its next step. */
  stopped(): boolean;
  /** Aborted by the stop signal: a wait of the start-up (a retry's backoff) ends at once. */
  readonly signal: AbortSignal;
  /** The shutdown's bound over the closers existing now (shutdownDeadlineMs), the start-up's own included. */
  shutdownWithinMs(): number;
}

/**
 * Runs a service whose shutdown listens from before its start-up opens anything: a signal from
 * `signals` at any moment aborts the start-up (which stops at its next step) and closes the closers
 * existing by then (`closers`, read at the signal, in closing order). Nothing waits for the start-up
 * to finish, and no await is left unsettled (Node would end the process with code 13). Resolves with
 * the exit code once a signal has shut the service down; rejects when the start-up fails by itself.
 */
export async function runUntilShutdown(
  logger: Logger,
  signals: SignalSource,
  closers: () => readonly Closer[],
  start: (startUp: StartUp) => Promise<void>,
): Promise<number> {
  const starting = new AbortController();
  const all = (): Closer[] => [{ name: "start-up", close: async () => starting.abort() }, ...closers()];
  const shutdown = onShutdownSignal(
    logger.child({ component: "shutdown" }),
    all,
    DEFAULT_CLOSE_DEADLINE_MS,
    signals,
  );
  const running = start({
    stopped: () => starting.signal.aborted,
    signal: starting.signal,
    shutdownWithinMs: () => shutdownDeadlineMs(all()),
  }).catch((err: unknown) => {
    // A step cut short by the shutdown closing what it was using: the shutdown decides the exit code.
    if (!starting.signal.aborted) throw err;
  });
  await Promise.race([running, shutdown]);
  return shutdown;
}
