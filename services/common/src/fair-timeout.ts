/**
 * Deadlines for I/O that a busy event loop does not break by itself.
 *
 * Each event-loop turn runs its expired timers before it reads the sockets that became readable
 * (libuv: timers, then poll, then check), and a Redis command issued in a turn leaves at the end
 * of it (redis-batching.ts sends a turn's commands in its check phase). On a saturated API a turn
 * lasts longer than a deadline, so a plain timer started at the call times out commands Redis
 * answered in a millisecond: one 3,000/s spike timed out 2,300 healthy commands, opened the Redis
 * breaker 17 times and skipped 55,000 side effects, the velocity counts of the checkouts among them.
 *
 * Here a deadline counts from the end of the turn that started the work (when its commands have
 * left), and fires in the check phase of the turn in which it is due, after that turn's poll has
 * read whatever arrived: work that finished in time settles first. What it measures is the
 * dependency, not the queue in front of our own event loop (admission control's signal).
 */

/** Runs `onTimeout` in the check phase of the loop turn in which `ms` have passed. */
export function setFairTimeout(onTimeout: () => void, ms: number): NodeJS.Timeout {
  return setTimeout(setImmediate, ms, onTimeout);
}

/** A deadline started by `deadlineAfterTurn`; cancel() once the work settled. */
export interface Deadline {
  cancel(): void;
}

/**
 * Runs `onTimeout` `ms` after the end of the current loop turn (fairly, as above) unless cancelled
 * first. Work settled before the turn ends never starts a timer.
 */
export function deadlineAfterTurn(onTimeout: () => void, ms: number): Deadline {
  let timer: NodeJS.Timeout | undefined;
  let cancelled = false;
  setImmediate(() => {
    if (cancelled) return;
    timer = setFairTimeout(() => {
      if (!cancelled) onTimeout();
    }, ms);
  });
  return {
    cancel() {
      cancelled = true;
      if (timer) clearTimeout(timer);
    },
  };
}

/**
 * Deadlines for many calls at once: every call added in one loop turn shares one timer, started at
 * the end of that turn, which runs `expire` on each of them (a call already settled must ignore it).
 * One timer per turn instead of one per call: a Redis client sends several commands per checkout.
 */
export class TurnDeadlines<T> {
  private readonly ms: number;
  private readonly expire: (call: T) => void;
  private batch: T[] = [];

  constructor(ms: number, expire: (call: T) => void) {
    this.ms = ms;
    this.expire = expire;
  }

  add(call: T): void {
    if (this.batch.length === 0) setImmediate(this.start);
    this.batch.push(call);
  }

  private readonly start = (): void => {
    const calls = this.batch;
    this.batch = [];
    // Unref'd: a call still waiting keeps the process alive by its own socket, not by its deadline.
    setFairTimeout(() => {
      for (const call of calls) this.expire(call);
    }, this.ms).unref();
  };
}
