import type { Kafka, Producer } from "kafkajs";

/**
 * A kafkajs producer that writes each record once when kafkajs retries a request.
 *
 * Without idempotence, a produce request refused for one partition (a leader change,
 * NOT_ENOUGH_REPLICAS, a timeout) is retried whole, and the records of its other partitions are
 * written twice. Idempotent, every batch carries the producer id and a per-partition sequence, and
 * the broker answers a batch it already holds with its first offset instead of appending it again.
 *
 * - Every send must use acks -1: kafkajs refuses an idempotent send with any other.
 * - maxInFlightRequests 1: kafkajs 2.2.4 does not reassign sequences after a failed request
 *   (KAFKA-5494's client side), so only one request per connection is safe.
 * - One send at a time: kafkajs takes a broker lock per request, not per send. A request that fails
 *   gives its sequences back and releases the lock before its retry, so a send started in that gap
 *   takes the same sequence, the broker takes it for the first one (acknowledged, never written),
 *   and the retry is appended a second time (measured: test/kafka-idempotent-producer.test.ts).
 *
 * Retries stay the client's (kafkajs warns that bounded retries "may invalidate EoS"): after the
 * last retry the sequences are given back while the broker may hold the batch, so the next send
 * to those partitions should be the same records (the decision log re-sends the same batch).
 */
export function idempotentProducer(
  kafka: Kafka,
  options: { readonly allowAutoTopicCreation: boolean },
): Producer {
  const producer = kafka.producer({
    allowAutoTopicCreation: options.allowAutoTopicCreation,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  return oneSendAtATime(producer);
}

/** The same producer, its sends (and batch sends) run one after another in call order. */
export function oneSendAtATime(producer: Producer): Producer {
  let last: Promise<unknown> = Promise.resolve();
  const queued = <T>(send: () => Promise<T>): Promise<T> => {
    const run = last.then(send, send);
    last = run.catch(() => {});
    return run;
  };
  return {
    ...producer,
    send: (record) => queued(() => producer.send(record)),
    sendBatch: (batch) => queued(() => producer.sendBatch(batch)),
  };
}
