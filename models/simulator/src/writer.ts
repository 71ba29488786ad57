import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import { join } from "node:path";
import { INPUT_TOPIC_NAMES, type InputTopic } from "@riskgate/feature-store/events";
import type { EventIdOf } from "./ids.ts";
import type { Envelope } from "./timeline/timeline.ts";

export type OutputFile = InputTopic | "truth";
export const OUTPUT_FILES: readonly OutputFile[] = [...INPUT_TOPIC_NAMES, "truth"];

/**
 * Streams sorted envelopes into one JSONL file per topic, plus truth.jsonl with one line per
 * checkout in the same order as checkouts.jsonl. Respects back-pressure, so memory stays bounded.
 */
export class WorldWriter {
  private readonly streams: Record<OutputFile, WriteStream>;
  readonly counts: Record<OutputFile, number>;
  lastEventMs = Number.NEGATIVE_INFINITY;
  readonly dir: string;
  private readonly eventId: EventIdOf;

  constructor(dir: string, eventId: EventIdOf) {
    this.dir = dir;
    this.eventId = eventId;
    this.streams = Object.fromEntries(
      OUTPUT_FILES.map((f) => [f, createWriteStream(join(dir, `${f}.jsonl`), { encoding: "utf8" })]),
    ) as Record<OutputFile, WriteStream>;
    this.counts = Object.fromEntries(OUTPUT_FILES.map((f) => [f, 0])) as Record<OutputFile, number>;
  }

  /** Writes envelopes that are already in (occurred_at, event_id) order and follow earlier batches. */
  async write(envelopes: readonly Envelope[]): Promise<void> {
    const chunks = Object.fromEntries(OUTPUT_FILES.map((f) => [f, [] as string[]])) as Record<
      OutputFile,
      string[]
    >;
    for (const e of envelopes) {
      if (e.t < this.lastEventMs) throw new Error("envelopes out of order");
      this.lastEventMs = e.t;
      chunks[e.topic].push(e.line);
      if (e.truth) {
        chunks.truth.push(
          JSON.stringify({
            checkout_event_id: this.eventId(e.seq),
            fraud: e.truth.fraud,
            pattern: e.truth.pattern,
            drifted: e.truth.drifted,
          }),
        );
      }
    }
    for (const file of OUTPUT_FILES) {
      const lines = chunks[file];
      if (lines.length === 0) continue;
      this.counts[file] += lines.length;
      const stream = this.streams[file];
      if (!stream.write(`${lines.join("\n")}\n`)) await once(stream, "drain");
    }
  }

  async close(): Promise<void> {
    await Promise.all(
      OUTPUT_FILES.map((f) => {
        const stream = this.streams[f];
        return new Promise<void>((resolve, reject) => {
          stream.once("error", reject);
          stream.end(() => resolve());
        });
      }),
    );
  }
}
