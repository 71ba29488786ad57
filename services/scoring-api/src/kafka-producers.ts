import { idempotentProducer } from "@riskgate/common/kafka-idempotent-producer";
import type { Kafka, Producer } from "kafkajs";

/**
 * The scoring API's Kafka producers, one per kind of wait. Each is idempotent, so it runs one send
 * at a time (kafka-idempotent-producer.ts): on one shared producer a reviewer's label waited behind
 * the decision batch in flight and all its retries (the decisions topic slow, or a partition
 * refusing), and the resolve answered 503 labels_unavailable while the labels topic was fine.
 * Each producer has its own broker connections and producer id.
 */
export interface KafkaProducers {
  /** The decision log's: batches in the background, a failed one re-sent for as long as it takes. */
  readonly decisions: Producer;
  /**
   * Sends someone waits on: a reviewer's resolve (the label) and a held booking (the SLA expiry
   * announcement), each under a timeout of seconds.
   */
  readonly review: Producer;
}

export function kafkaProducers(
  kafka: Kafka,
  options: { readonly allowAutoTopicCreation: boolean },
): KafkaProducers {
  return { decisions: idempotentProducer(kafka, options), review: idempotentProducer(kafka, options) };
}
