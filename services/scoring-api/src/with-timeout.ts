import { AppError, withoutStack } from "@riskgate/common/errors";

/** withTimeout's rejection; `budgetMs` lets a breaker tell how late its timer ran. */
export class TimeoutError extends AppError {
  readonly budgetMs: number;

  constructor(what: string, budgetMs: number) {
    super("timeout", `${what} took longer than ${budgetMs} ms`);
    this.budgetMs = budgetMs;
  }
}

/**
 * Rejects when `promise` has not settled within `ms`; the work itself is not cancelled.
 * One promise and one timer per call (no race or finally chain): it wraps every feature read.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    // Stackless: a timer callback's stack names no caller, and under overload timeouts are many.
    const timer = setTimeout(() => reject(withoutStack(() => new TimeoutError(what, ms))), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
