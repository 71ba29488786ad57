import { createRequire } from "node:module";

/**
 * kafkajs 2.2.4's request queue (one per broker connection) re-arms a timer after every check of
 * its pending requests, also when nothing is pending: `throttledUntil - Date.now()` with
 * `throttledUntil` at -1 is a negative delay, which Node runs after 1 ms (and warns about once,
 * the start-up `TimeoutNegativeWarning`). So every open connection wakes its process 1,000 times
 * a second for nothing: about 3 % of a core per idle process, on machines where the API, the
 * ingest and the broker share two cores. Upstream: tulios/kafkajs#1704, #1556, #1751 (open, no
 * release since 2.2.4). The guard below arms no timer while nothing is pending; a request that
 * has to wait calls the scheduler again when it is queued, so throttling still works as before.
 * Pinned to 2.2.4 (package.json): a kafkajs whose queue no longer looks like this makes the
 * guard throw at start-up instead of silently doing nothing.
 */
interface RequestQueueInternals {
  pending: unknown[];
  scheduleCheckPendingRequests(): void;
}

const PATCHED = Symbol.for("riskgate.kafkajs.idleTimerGuard");

export function guardKafkajsIdleTimers(): void {
  // kafkajs has no exports map, so its internal module can be required by path.
  const require = createRequire(import.meta.url);
  const RequestQueue = require("kafkajs/src/network/requestQueue/index.js") as {
    prototype: RequestQueueInternals & { [PATCHED]?: true };
  };
  const proto = RequestQueue.prototype;
  if (proto[PATCHED]) return;
  const schedule = proto.scheduleCheckPendingRequests;
  if (typeof schedule !== "function" || !String(schedule).includes("throttleCheckTimeoutId"))
    throw new Error("kafkajs request queue changed: review kafkajs-idle-timer.ts before upgrading");
  proto.scheduleCheckPendingRequests = function (this: RequestQueueInternals) {
    if (this.pending.length === 0) return;
    schedule.call(this);
  };
  proto[PATCHED] = true;
}
