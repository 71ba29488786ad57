import { type BackoffOptions, DEFAULT_BACKOFF, retryWithBackoff } from "@riskgate/common/kafka-topics";
import type { Logger } from "@riskgate/common/logger";
import type { Producer } from "kafkajs";

export interface BackgroundProducer {
  /** True once the topics exist and the producers are connected; publishers hold their records until then. */
  connected(): boolean;
  /** Resolves once connected; never rejects except when closed first. */
  readonly ready: Promise<void>;
  /** Stops connecting if it still is; the producers themselves are closed by their owner. */
  close(): Promise<void>;
}

/**
 * Connects the producers (after `ensureTopics`) without holding up the caller: the scoring API
 * serves as soon as its model is loaded, Kafka or not, and its decisions wait in the decision log's
 * bounded buffer until the broker is there. Retries with backoff for as long as it takes.
 */
export function connectInBackground(
  producers: readonly Pick<Producer, "connect">[],
  ensureTopics: () => Promise<unknown>,
  waitingFor: string,
  logger: Logger,
  backoff: BackoffOptions = DEFAULT_BACKOFF,
): BackgroundProducer {
  const abort = new AbortController();
  let isConnected = false;
  const ready = retryWithBackoff(
    async () => {
      await ensureTopics();
      await Promise.all(producers.map((p) => p.connect()));
    },
    waitingFor,
    logger,
    { ...backoff, signal: abort.signal },
  ).then(() => {
    isConnected = true;
    logger.info("Kafka connected: publishing decisions and labels");
  });
  ready.catch(() => {}); // rejects only on close()
  return {
    connected: () => isConnected,
    ready,
    close: async () => abort.abort(new Error("closed before Kafka was reached")),
  };
}
