import { once } from "node:events";
import type { Writable } from "node:stream";
import { installZstdCodec } from "@riskgate/common/kafka-codecs";
import type { Kafka } from "kafkajs";

export interface ExportResult {
  readonly records: number;
  /** Per partition: the offsets read, [from, to). */
  readonly partitions: { partition: number; from: string; to: string }[];
}

/** Whether the topic exists: before the first decision is published it does not, and kafkajs
 * would retry its metadata request for seconds and then throw a protocol error. */
export async function topicExists(kafka: Kafka, topic: string): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.listTopics()).includes(topic);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Copies the decisions topic, as it stands when the export starts, to `out` as JSONL: one record
 * per line, as the API published it. It reads each partition from its start (or from the first
 * record at or after `since`) up to the end it had when the export began, so it ends even while the
 * API keeps publishing, and it commits nothing: its group is deleted when it is done. The decision
 * log is what training reweights by propensity (`npm run train -- --decisions`) and what the
 * missed-fraud monitor joins with the labels (`npm run monitor`).
 */
export async function exportDecisions(
  kafka: Kafka,
  topic: string,
  out: Writable,
  options: { since?: Date; groupId: string },
): Promise<ExportResult> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const starts = options.since
      ? await admin.fetchTopicOffsetsByTimestamp(topic, options.since.getTime())
      : ends.map((p) => ({ partition: p.partition, offset: p.low }));
    const range = new Map(
      ends.map((p) => {
        const from = starts.find((s) => s.partition === p.partition)?.offset ?? p.low;
        // fetchTopicOffsetsByTimestamp answers -1 or the end when nothing is that recent.
        const start = from === "-1" ? p.high : from;
        return [p.partition, { from: start, to: p.high }];
      }),
    );
    const pending = new Set([...range].filter(([, r]) => BigInt(r.from) < BigInt(r.to)).map(([p]) => p));
    const records = pending.size === 0 ? 0 : await copy(kafka, topic, range, pending, out, options.groupId);
    await admin.deleteGroups([options.groupId]).catch(() => undefined);
    return {
      records,
      partitions: [...range].map(([partition, r]) => ({ partition, from: r.from, to: r.to })),
    };
  } finally {
    await admin.disconnect();
  }
}

async function copy(
  kafka: Kafka,
  topic: string,
  range: Map<number, { from: string; to: string }>,
  pending: Set<number>,
  out: Writable,
  groupId: string,
): Promise<number> {
  installZstdCodec(); // the decision log compresses its batches with zstd
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 500 });
  let records = 0;
  let done: () => void = () => {};
  let failed: (err: unknown) => void = () => {};
  const finished = new Promise<void>((resolve, reject) => {
    done = resolve;
    failed = reject;
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const end = BigInt(range.get(batch.partition)?.to ?? "0");
        try {
          for (const m of batch.messages) {
            if (BigInt(m.offset) >= end) break;
            if (m.value && !out.write(`${m.value.toString("utf8").trimEnd()}\n`)) await once(out, "drain");
            records++;
            if (BigInt(m.offset) + 1n >= end) pending.delete(batch.partition);
          }
        } catch (err) {
          failed(err);
        }
        if (pending.size === 0) done();
      },
    });
    for (const [partition, r] of range) consumer.seek({ topic, partition, offset: r.from });
    await finished;
    return records;
  } finally {
    await consumer.disconnect();
  }
}
