import { createReadStream, existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import {
  type DomainEvent,
  decodeEvent,
  EventDecodeError,
  type EventSource,
  eventSourceOf,
  INPUT_TOPIC_NAMES,
} from "../events/index.ts";

/** Order of topics at equal event times: context first, the checkout that reads it last. */
const TOPIC_ORDER = ["listings", "accounts", "payments", "labels", "checkouts"] as const;

export interface LogEntry {
  readonly event: DomainEvent;
  readonly t: number;
  readonly rank: number;
  /** The topic file it was read from: only the labels file may carry pseudonyms already. */
  readonly source: EventSource;
}

export interface LogStats {
  readonly invalid: Map<string, number>;
}

async function* readTopic(
  path: string,
  rank: number,
  source: EventSource,
  stats: LogStats,
): AsyncGenerator<LogEntry> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    if (line.length === 0) continue;
    try {
      const event = decodeEvent(JSON.parse(line));
      yield { event, t: Date.parse(event.occurred_at), rank, source };
    } catch (err) {
      const code = err instanceof EventDecodeError ? err.code : "invalid_json";
      stats.invalid.set(code, (stats.invalid.get(code) ?? 0) + 1);
    }
  }
}

function before(a: LogEntry, b: LogEntry): boolean {
  if (a.t !== b.t) return a.t < b.t;
  if (a.rank !== b.rank) return a.rank < b.rank;
  return a.event.event_id < b.event.event_id;
}

/**
 * Replays an event log directory (one JSONL file per topic, each sorted by occurred_at) as one
 * stream in event-time order: a k-way merge, so memory stays flat however long the log is.
 * Lines that fail the event contracts are skipped and counted, as the consumer dead-letters them.
 */
export async function* mergedEventLog(dir: string, stats: LogStats): AsyncGenerator<LogEntry> {
  const sources = TOPIC_ORDER.filter((t) => INPUT_TOPIC_NAMES.includes(t))
    .map((topic, rank) => ({ path: join(dir, `${topic}.jsonl`), rank, source: eventSourceOf(topic) }))
    .filter((s) => existsSync(s.path))
    .map((s) => readTopic(s.path, s.rank, s.source, stats));
  const heads: (LogEntry | undefined)[] = await Promise.all(
    sources.map(async (s) => (await s.next()).value ?? undefined),
  );
  for (;;) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i];
      if (h && (best < 0 || before(h, heads[best] as LogEntry))) best = i;
    }
    if (best < 0) return;
    yield heads[best] as LogEntry;
    heads[best] = (await (sources[best] as AsyncGenerator<LogEntry>).next()).value ?? undefined;
  }
}
