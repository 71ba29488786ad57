import { AppError } from "@riskgate/common/errors";
import type { FastifyReply } from "fastify";

/**
 * A client route's call into the feature store (the read of POST /v1/features, the apply of
 * POST /v1/events), already bounded by its budget (compose.ts): a store that fails or misses the
 * budget is a 503 `features_unavailable` with `Retry-After`, never a 500 and never a hang.
 */
export async function featureStoreCall<T>(
  reply: FastifyReply,
  retryAfterSeconds: number,
  call: Promise<T>,
): Promise<T> {
  try {
    return await call;
  } catch (err) {
    // Scoring's Redis breaker logs the outage once; a line per request would flood the log.
    reply.log.debug({ err }, "feature store call failed: answered 503");
    reply.header("retry-after", String(retryAfterSeconds));
    throw new AppError(
      "features_unavailable",
      `the feature store did not answer within its budget; retry after ${retryAfterSeconds} s`,
    );
  }
}
