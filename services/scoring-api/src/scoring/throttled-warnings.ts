import type { Logger } from "@riskgate/common/logger";

/** Logs a warning under `key` unless one was logged under it less than the interval ago. */
export type ThrottledWarn = (key: string, fields: Record<string, unknown>, message: string) => void;

/**
 * Warnings that repeat per checkout (a dependency failing, a side effect failing) are logged the
 * first time, then at most once per `intervalMs` per key, each line carrying `suppressed`: how many
 * were left out since the previous line. Under overload every degraded checkout would otherwise
 * log (pino serialising the error's stack, the redaction paths): the log cost CPU exactly when there
 * was none. The metrics beside these calls keep the exact counts. Keys are the dependency and step
 * names, a closed set in the code, so the memory is bounded by it.
 */
export function throttledWarnings(
  logger: Logger,
  opts: { intervalMs: number; now: () => number },
): ThrottledWarn {
  const windows = new Map<string, { until: number; suppressed: number }>();
  return (key, fields, message) => {
    const t = opts.now();
    const window = windows.get(key);
    if (window && t < window.until) {
      window.suppressed++;
      return;
    }
    const suppressed = window?.suppressed ?? 0;
    logger.warn(suppressed > 0 ? { ...fields, suppressed } : fields, message);
    windows.set(key, { until: t + opts.intervalMs, suppressed: 0 });
  };
}
