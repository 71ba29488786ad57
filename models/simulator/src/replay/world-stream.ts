import { createReadStream, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { INPUT_TOPIC_NAMES, type InputTopic } from "@riskgate/feature-store/events";

/** One event of a world, in the order the world happened: parsed, with its topic and its truth. */
export interface WorldEvent {
  readonly topic: InputTopic;
  readonly event: Record<string, unknown> & { event_id: string; occurred_at: string; type: string };
  /** Event time in ms (before any shift). */
  readonly t: number;
  /** For a checkout: whether it was fraud (truth.jsonl, same order as checkouts.jsonl). */
  readonly fraud?: boolean;
}

export interface WorldInfo {
  readonly dir: string;
  /** Midnight of the first simulated day; events before it are the world's history. */
  readonly startMs: number;
  readonly endMs: number;
  readonly lastEventMs: number;
  /** Events in the five topic files. */
  readonly events: number;
  readonly checkouts: number;
}

export function readWorldInfo(dir: string): WorldInfo {
  const file = join(dir, "world.json");
  if (!existsSync(file))
    throw new Error(`${file} not found: --in names a directory written by npm run simulate`);
  const w = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  const files = w.files as Record<string, number>;
  return {
    dir,
    startMs: Date.parse(String(w.start)),
    endMs: Date.parse(String(w.end)),
    lastEventMs: Date.parse(String(w.last_event_at)),
    events: INPUT_TOPIC_NAMES.reduce((s, t) => s + (files[`${t}.jsonl`] ?? 0), 0),
    checkouts: Number(w.checkouts),
  };
}

async function* lines(path: string): AsyncGenerator<string> {
  if (!existsSync(path)) return;
  const rl = createInterface({
    input: createReadStream(path, { encoding: "utf8" }),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const line of rl) if (line.length > 0) yield line;
}

interface Head {
  readonly topic: InputTopic;
  readonly source: AsyncGenerator<string>;
  event: WorldEvent["event"];
  t: number;
}

/**
 * The world's events as one stream in (occurred_at, event_id) order: a k-way merge of the per-topic
 * files, each already in that order (models/simulator/README.md). Memory: one line per file.
 */
export async function* worldEvents(dir: string): AsyncGenerator<WorldEvent> {
  const truth = lines(join(dir, "truth.jsonl"));
  const heads: Head[] = [];
  const advance = async (h: Head): Promise<boolean> => {
    const next = await h.source.next();
    if (next.done) return false;
    h.event = JSON.parse(next.value) as WorldEvent["event"];
    h.t = Date.parse(h.event.occurred_at);
    return true;
  };
  for (const topic of INPUT_TOPIC_NAMES) {
    const h: Head = { topic, source: lines(join(dir, `${topic}.jsonl`)), event: undefined as never, t: 0 };
    if (await advance(h)) heads.push(h);
  }
  while (heads.length > 0) {
    let min = 0;
    for (let i = 1; i < heads.length; i++) {
      const a = heads[i] as Head;
      const b = heads[min] as Head;
      if (a.t < b.t || (a.t === b.t && a.event.event_id < b.event.event_id)) min = i;
    }
    const h = heads[min] as Head;
    const out: WorldEvent = { topic: h.topic, event: h.event, t: h.t };
    if (h.topic === "checkouts") {
      const line = await truth.next();
      const row = line.done
        ? undefined
        : (JSON.parse(line.value) as { checkout_event_id: string; fraud: boolean });
      if (row?.checkout_event_id !== h.event.event_id)
        throw new Error(`truth.jsonl is out of step with checkouts.jsonl at ${h.event.event_id}`);
      yield { ...out, fraud: row.fraud };
    } else {
      yield out;
    }
    if (!(await advance(h))) heads.splice(min, 1);
  }
}
