import { AppError } from "@riskgate/common/errors";
import { idempotentProducer } from "@riskgate/common/kafka-idempotent-producer";
import type { Logger } from "@riskgate/common/logger";
import type { SpanRunner } from "@riskgate/common/tracing";
import {
  type DomainEvent,
  decodeEventBytes,
  EventDecodeError,
  eventSourceOf,
  INPUT_TOPIC_NAMES,
  INPUT_TOPICS,
  type InputTopic,
  type TopicNames,
} from "@riskgate/feature-store/events";
import type { OnlineStore } from "@riskgate/feature-store/online";
import { type Admission, admitEvent, update } from "@riskgate/feature-store/update";
import type { Consumer, EachBatchPayload, Kafka, Producer } from "kafkajs";
import { type DeadLetter, sendToDeadLetter } from "./dead-letter.ts";
import type { IngestMetrics } from "./ingest-metrics.ts";
import { byTopic, type PartitionOffset, PendingCommits } from "./pending-commits.ts";
import { settlesWithin } from "./settles-within.ts";

export interface IngestDeps {
  readonly kafka: Kafka;
  readonly store: OnlineStore;
  readonly topics: TopicNames;
  readonly groupId: string;
  readonly logger: Logger;
  readonly metrics: IngestMetrics;
  /** Future events refused (dead-lettered), identifiers pseudonymised: as the scoring API does. */
  readonly admission: Admission;
  /** Start from the earliest offset when the group has none committed (true for a new deployment). */
  readonly fromBeginning?: boolean;
  /** Tracing: one `ingest.batch` span per batch. Unset: none. */
  readonly span?: SpanRunner;
  /** Offsets are committed at most this often (INGEST_COMMIT_INTERVAL_MS); 0: after every batch. */
  readonly commitIntervalMs: number;
  /** Partitions whose batches are decoded and written at once (INGEST_PARTITIONS_CONCURRENTLY). */
  readonly partitionsConcurrently: number;
  readonly now?: () => number;
}

/**
 * How long stop() waits for a start in flight to connect or join. Within the shutdown's 10 s per
 * resource (@riskgate/common/shutdown), with room for the fetch kafkajs finishes after the join
 * before it leaves (FETCH_MAX_WAIT_MS). Live members hear of a rebalance at their next heartbeat
 * (every 3 s, between fetches and batches), so a join that waits only for them ends well inside it;
 * one that waits for a dead member's session (30 s) does not, and is given up.
 */
const STOP_WAIT_MS = 6_000;

/**
 * The longest the broker holds a fetch that finds no data (kafkajs's default is 5 s). kafkajs stops,
 * leaves the group and hears of a rebalance only between fetches: an idle consumer's stop took up to
 * that long, which the stop's budget cannot afford after a join; the cost is one empty fetch a second.
 */
const FETCH_MAX_WAIT_MS = 1_000;

/**
 * Kafka → decode → apply → commit. Offsets are committed only after the store write succeeded
 * (at most every `commitIntervalMs`, and at stop), so a crash re-delivers, and the store's per-event
 * dedup makes re-delivery harmless: nothing is lost, nothing is counted twice. Undecodable messages
 * and events from the future go to the dead-letter topic and the partition keeps flowing. The
 * batches of one fetch are written concurrently (one partition's stay in order): the next fetch
 * waits for all of them, so written one after another each added its Redis round trip to the time
 * an event on another partition waits to become visible.
 */
export class FeatureIngest {
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private readonly topicByName: Map<string, InputTopic>;
  private readonly deps: IngestDeps;
  private readonly commits: PendingCommits;
  private stopping = false;
  private inGroup = false;
  /** The last start attempt, which stop() waits for, and what it is doing while in flight. */
  private starting: Promise<void> = Promise.resolve();
  private phase: "connecting" | "joining" | undefined;

  constructor(deps: IngestDeps) {
    this.deps = deps;
    this.commits = new PendingCommits(deps.commitIntervalMs, deps.now ?? Date.now);
    this.consumer = deps.kafka.consumer({
      groupId: deps.groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
    });
    // Idempotent and one send at a time: a dead-letter send kafkajs retries (a partition refused for a
    // moment) lands each letter once, and the batches written concurrently share the producer.
    this.producer = idempotentProducer(deps.kafka, { allowAutoTopicCreation: true });
    this.topicByName = new Map(INPUT_TOPIC_NAMES.map((t) => [deps.topics.input[t], t]));
    // Listeners once per consumer, here: start() may be retried while the broker is away.
    // Ready once the group gave this member its partitions; not while it rebalances or after a crash
    // (kafkajs restarts the consumer, which joins again). After a broker restart or the crash of a
    // previous member, the join can wait for that member's session to expire (30 s by default).
    const { GROUP_JOIN, REBALANCING, CRASH, STOP } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, () => {
      this.inGroup = true;
    });
    for (const left of [REBALANCING, CRASH, STOP]) {
      this.consumer.on(left, () => {
        this.inGroup = false;
      });
    }
    this.consumer.on(this.consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      this.deps.metrics.consumerLag.set(
        { topic: payload.topic, partition: String(payload.partition) },
        Number(payload.offsetLag),
      );
    });
  }

  /**
   * Connects, subscribes and joins the group; resolves once this member has its partitions. Refused
   * once stop() began: an attempt in flight (a connect answering late, the start-up loop's retry)
   * gives up at its next step instead of starting the consumer.
   */
  start(): Promise<void> {
    const attempt = this.connectAndJoin();
    this.starting = attempt;
    return attempt;
  }

  private async connectAndJoin(): Promise<void> {
    try {
      this.phase = "connecting";
      this.refuseIfStopping();
      await this.producer.connect();
      this.refuseIfStopping();
      await this.consumer.connect();
      this.refuseIfStopping();
      await this.consumer.subscribe({
        topics: Object.values(this.deps.topics.input),
        fromBeginning: this.deps.fromBeginning ?? true,
      });
      this.refuseIfStopping();
      this.phase = "joining";
      // Resolves once the member joined and the consumer runs (kafkajs restarts one whose join fails).
      await this.consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.deps.partitionsConcurrently,
        eachBatch: (payload) => this.tracedBatch(payload),
      });
      this.refuseIfStopping();
    } finally {
      this.phase = undefined;
    }
  }

  private refuseIfStopping(): void {
    if (this.stopping) throw new AppError("shutting_down", "feature-ingest is stopping: not started");
  }

  private tracedBatch(payload: EachBatchPayload): Promise<void> {
    const span = this.deps.span;
    if (!span) return this.handleBatch(payload);
    return span("ingest.batch", (s) => {
      s.setAttributes({
        "messaging.system": "kafka",
        "messaging.destination.name": payload.batch.topic,
        "messaging.destination.partition.id": String(payload.batch.partition),
        "messaging.batch.message_count": payload.batch.messages.length,
      });
      return this.handleBatch(payload);
    });
  }

  private async handleBatch({
    batch,
    resolveOffset,
    heartbeat,
    isRunning,
    isStale,
    commitOffsetsIfNecessary,
  }: EachBatchPayload) {
    // A batch that begins after stop() (a join that ended while stop() waited for it fetches at once)
    // stays unapplied and uncommitted, for the next member.
    if (this.stopping) return;
    const topic = this.topicByName.get(batch.topic);
    const events: DomainEvent[] = [];
    const deadLetters: DeadLetter[] = [];
    for (const message of batch.messages) {
      try {
        const event = decodeEventBytes(message.value ?? Buffer.alloc(0));
        if (!topic || !(INPUT_TOPICS[topic] as readonly string[]).includes(event.type)) {
          throw new EventDecodeError(
            "unknown_event_type",
            "/type",
            `/type: ${event.type} does not belong on ${batch.topic}`,
          );
        }
        events.push(admitEvent(event, this.deps.admission, eventSourceOf(topic)));
      } catch (err) {
        const error =
          err instanceof EventDecodeError
            ? err
            : new EventDecodeError("invalid_json", "/", "undecodable message");
        deadLetters.push({ topic: batch.topic, partition: batch.partition, message, error });
      }
    }
    if (!isRunning() || isStale()) return;
    // Dead letters first: if the store write then fails, the batch is re-delivered and the DLQ may
    // see a poison message twice, which is harmless; losing one would not be.
    await sendToDeadLetter(this.producer, this.deps.topics.deadLetter, deadLetters);
    for (const l of deadLetters) this.deps.metrics.deadLettered.inc({ reason: l.error.code });
    if (deadLetters.length > 0) {
      this.deps.logger.warn(
        {
          topic: batch.topic,
          partition: batch.partition,
          count: deadLetters.length,
          reason: deadLetters[0]?.error.code,
        },
        "dead-lettered undecodable messages",
      );
    }
    const results = await this.deps.store.applyBatch(events.map(update));
    results.forEach((r, i) => {
      const type = (events[i] as DomainEvent).type;
      const outcome = r.outcomes.includes("applied") ? "applied" : (r.outcomes[0] ?? "applied");
      this.deps.metrics.applied.inc({ event_type: type, outcome });
    });
    const last = batch.messages[batch.messages.length - 1];
    if (!last) return;
    resolveOffset(last.offset);
    this.commits.written({
      topic: batch.topic,
      partition: batch.partition,
      offset: (BigInt(last.offset) + 1n).toString(),
    });
    // Stopping: a batch that finishes after stop() took the pending offsets commits its own, through
    // the batch's handle (the consumer's commitOffsets is a no-op once it stops running).
    if (this.stopping || !isRunning() || this.commits.due())
      await this.commit((offsets) => commitOffsetsIfNecessary({ topics: byTopic(offsets) }));
    await heartbeat();
  }

  /**
   * A failed commit is logged, not retried: its events are in the store, so the worst case is that
   * they are re-delivered after a restart or a rebalance, and the dedup absorbs them.
   */
  private async commit(send: (offsets: PartitionOffset[]) => Promise<void>): Promise<void> {
    const offsets = this.commits.take();
    if (offsets.length === 0) return;
    try {
      await send(offsets);
    } catch (err) {
      this.deps.logger.warn(
        { err, partitions: offsets.length },
        "offset commit failed; the events may be re-delivered",
      );
    }
  }

  /** Whether it consumes: a member of its group with partitions assigned, and not stopping. */
  get ready(): boolean {
    return this.inGroup && !this.stopping;
  }

  /**
   * Commits what was written, stops after the batch in flight (which commits its own) and leaves the
   * group. A start in flight is waited for first (at most STOP_WAIT_MS): kafkajs leaves a group only
   * from a consumer that finished joining (its runner.stop; tulios/kafkajs#1639), so disconnecting
   * mid-join left the member behind. Past the bound stop() rejects (`timeout`), and the clients are
   * closed whenever the attempt ends.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    if (!(await settlesWithin(this.starting, STOP_WAIT_MS))) {
      const phase = this.phase;
      // Not now: kafkajs's disconnect waits for the requests in flight (a JoinGroup the rebalance
      // holds) and, mid-join, leaves a consumer running behind it. Once the join ended it leaves.
      const close = () => Promise.allSettled([this.consumer.disconnect(), this.producer.disconnect()]);
      void this.starting.then(close, close);
      throw new AppError(
        "timeout",
        phase === "joining"
          ? `still joining group ${this.deps.groupId} after ${STOP_WAIT_MS} ms: the member leaves when the join ends, or the broker drops it when its session times out`
          : `still connecting to Kafka after ${STOP_WAIT_MS} ms: the clients close when the attempt ends`,
      );
    }
    await this.commit((offsets) => this.consumer.commitOffsets(offsets));
    await this.consumer.disconnect();
    await this.producer.disconnect();
  }
}
