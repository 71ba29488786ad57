import { TimeoutError } from "../with-timeout.ts";

/** ioredis's rejection when a command outlives `commandTimeout` (its Command.js). */
const IOREDIS_TIMEOUT = "Command timed out";

/**
 * The Redis breaker's `inconclusive` rule: a timeout whose timer ran more than `lateMs` past its
 * deadline is this process's busy event loop, not Redis. libuv runs due timers at the start of a
 * loop turn, before it polls the sockets, so when turns outlast the deadline (overload) a reply
 * Redis sent in time is still unread when the timer rejects: counted, such timeouts opened the
 * breaker over a healthy, idle Redis 15 times in a 3,000/s spike, and every degraded checkout
 * behind it skipped its velocity count. A loop idle at the deadline runs the timer within about a
 * millisecond, after reading whatever had arrived: that timeout counts, so a hung Redis still opens
 * the breaker. The call's time is measured from the call, which is when both timers start: every
 * guarded call is one round trip (a script, a pipeline or a MULTI).
 */
export function lateTimeout(opts: {
  commandTimeoutMs: number;
  lateMs: number;
  onLate: () => void;
}): (err: unknown, elapsedMs: number) => boolean {
  return (err, elapsedMs) => {
    const budget =
      err instanceof TimeoutError
        ? err.budgetMs
        : err instanceof Error && err.message === IOREDIS_TIMEOUT
          ? opts.commandTimeoutMs
          : undefined;
    if (budget === undefined || elapsedMs - budget <= opts.lateMs) return false;
    opts.onLate();
    return true;
  };
}
