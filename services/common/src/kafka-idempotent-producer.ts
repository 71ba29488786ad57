import type { Kafka, Message, Producer } from "kafkajs";

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
 *   and the retry is appended a second time (staged in test/kafka-idempotent-producer.test.ts).
 * - A new producer id after a send failed for good, unless the next send is the same messages
 *   (see `renewedAfterFailure`).
 *
 * Retries stay the client's: unbounded (kafkajs's idempotent default), a send would wait as long as
 * Kafka is away, past every shutdown budget. kafkajs warns at start that this "may invalidate EoS".
 */
export function idempotentProducer(
  kafka: Kafka,
  options: { readonly allowAutoTopicCreation: boolean },
): Producer {
  const make = () =>
    kafka.producer({
      allowAutoTopicCreation: options.allowAutoTopicCreation,
      idempotent: true,
      maxInFlightRequests: 1,
    });
  return oneSendAtATime(renewedAfterFailure(make));
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

/**
 * After kafkajs's last retry of a send, it gives the sequences back while the broker may hold the
 * batch (its answer lost). kafkajs never takes a new producer id, so the next send to those
 * partitions was refused as out of order, and every one after it, or (the same size) taken for the
 * held batch and never written. The same messages again (the decision log re-sends its failed
 * batch) are what the broker expects: they go on the same producer and land once. Anything else
 * goes on a new producer (a new id, sequences from 0): the failed send, if it is sent again, may
 * then be written twice, never refused for good and never lost. Sends must be serialised (above).
 * Events (`on`) are the first producer's.
 */
export function renewedAfterFailure(make: () => Producer): Producer {
  const first = make();
  let current = first;
  let mustConnect = false;
  /** Disconnected by its owner: no producer is made or connected any more. */
  let closed = false;
  /** The messages of the send that failed last on `current`. */
  let failed: readonly Message[] | undefined;

  const attempt = async <T>(messages: readonly Message[], send: (p: Producer) => Promise<T>) => {
    try {
      if (failed && !closed && !sameMessages(failed, messages)) {
        const old = current;
        current = make();
        mustConnect = true;
        await old.disconnect().catch(() => {});
      }
      if (mustConnect && !closed) {
        await current.connect();
        mustConnect = false;
      }
      const result = await send(current);
      failed = undefined;
      return result;
    } catch (err) {
      failed = messages;
      throw err;
    }
  };
  return {
    ...first,
    connect: () => {
      closed = false;
      return current.connect();
    },
    disconnect: () => {
      closed = true;
      return current.disconnect();
    },
    send: (record) => attempt(record.messages, (p) => p.send(record)),
    sendBatch: (batch) =>
      attempt(batch.topicMessages?.flatMap((t) => t.messages) ?? [], (p) => p.sendBatch(batch)),
  };
}

/** The same message objects in the same order: a batch sent again, not new records. */
function sameMessages(a: readonly Message[], b: readonly Message[]): boolean {
  return a.length === b.length && a.every((m, i) => m === b[i]);
}
