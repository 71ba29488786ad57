import type { Logger } from "@riskgate/common/logger";

/** Logs a warning under `key` unless one was logged under it less than the interval ago. */
export type ThrottledWarn = (key: string, fields: Record<string, unknown>, message: string) => void;

export interface ThrottledWarnings {
  readonly warn: ThrottledWarn;
  /**
   * One line per key with warnings left out since its last line (the last one's fields and message,
   * with `suppressed`), for the shutdown: otherwise only a next warning under the key, which never
   * comes, would report them.
   */
  flush(): void;
}

interface Window {
  until: number;
  suppressed: number;
  /** The last warning left out: what a flush reports. */
  last?: { fields: Record<string, unknown>; message: string };
}

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
): ThrottledWarnings {
  const windows = new Map<string, Window>();
  return {
    warn: (key, fields, message) => {
      const t = opts.now();
      const window = windows.get(key);
      if (window && t < window.until) {
        window.suppressed++;
        window.last = { fields, message };
        return;
      }
      const suppressed = window?.suppressed ?? 0;
      logger.warn(suppressed > 0 ? { ...fields, suppressed } : fields, message);
      windows.set(key, { until: t + opts.intervalMs, suppressed: 0 });
    },
    flush: () => {
      for (const window of windows.values()) {
        if (window.suppressed === 0 || !window.last) continue;
        logger.warn({ ...window.last.fields, suppressed: window.suppressed }, window.last.message);
        window.suppressed = 0;
        delete window.last;
      }
    },
  };
}
