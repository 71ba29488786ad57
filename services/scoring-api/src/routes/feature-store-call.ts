import { AppError } from "@riskgate/common/errors";
import type { FastifyReply } from "fastify";

/**
 * Redis replies that say the store is away or busy for a while (a replica loading its data, a
 * script over its time, a cluster between owners, out of memory): retrying later can succeed.
 */
const TRANSIENT_REPLY = /^(LOADING|BUSY|CLUSTERDOWN|TRYAGAIN|MASTERDOWN|READONLY|NOREPLICAS|MOVED|ASK|OOM)\b/;

/**
 * Whether a failed store call means "not now" (a 503 the client retries) rather than "wrong" (a
 * bug: a script error, a key of the wrong type, a TypeError in the store code). A retry cannot
 * fix the second kind, and a 503 would hide it in a debug line; it goes to the error handler as
 * a 500 logged at error level. Anything not known to be a bug counts as unavailable, so an
 * outage never turns into a 500.
 */
export function isStoreUnavailable(err: unknown): boolean {
  if (err instanceof AppError) return err.code === "timeout" || err.code === "breaker_open";
  if (!(err instanceof Error)) return true;
  if (err.name === "ReplyError") return TRANSIENT_REPLY.test(err.message);
  return !(err instanceof TypeError || err instanceof RangeError || err instanceof ReferenceError);
}

/**
 * A client route's call into the feature store (the read of POST /v1/features, the apply of
 * POST /v1/events), already bounded by its budget (compose.ts): a store that is away or misses
 * the budget is a 503 `features_unavailable` with `Retry-After`, never a hang.
 */
export async function featureStoreCall<T>(
  reply: FastifyReply,
  retryAfterSeconds: number,
  call: Promise<T>,
): Promise<T> {
  try {
    return await call;
  } catch (err) {
    if (!isStoreUnavailable(err)) throw err;
    // Scoring's Redis breaker logs the outage once; a line per request would flood the log.
    reply.log.debug({ err }, "feature store call failed: answered 503");
    reply.header("retry-after", String(retryAfterSeconds));
    throw new AppError(
      "features_unavailable",
      `the feature store did not answer within its budget; retry after ${retryAfterSeconds} s`,
    );
  }
}
