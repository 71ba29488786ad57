import { stacklessError } from "@riskgate/common/errors";
import { deadlineAfterTurn } from "@riskgate/common/fair-timeout";

/**
 * Rejects when `promise` has not settled within `ms` of the end of this event-loop turn (when the
 * work's I/O has left: fair-timeout.ts); the work itself is not cancelled. It wraps every feature
 * read and event apply: a saturated loop's own queue is admission control's signal, and counted
 * here it took a healthy Redis for a dead one.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    // Stackless: a timer callback's stack names no caller, and under overload timeouts are many.
    const deadline = deadlineAfterTurn(
      () => reject(stacklessError("timeout", `${what} took longer than ${ms} ms`)),
      ms,
    );
    promise.then(
      (value) => {
        deadline.cancel();
        resolve(value);
      },
      (err: unknown) => {
        deadline.cancel();
        reject(err);
      },
    );
  });
}
