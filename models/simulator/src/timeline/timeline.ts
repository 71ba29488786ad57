import type { InputTopic } from "@riskgate/feature-store/events";
import { MinHeap } from "./queue.ts";

export interface Truth {
  readonly fraud: boolean;
  readonly pattern: string | null;
  /** The fraud used its pattern's adapted (drifted) behaviour. */
  readonly drifted: boolean;
}

/** One serialized event, with what the writer needs to order and route it. */
export interface Envelope {
  readonly t: number;
  /** The numeric part of event_id: ties on `t` break by it, which equals breaking by event_id. */
  readonly seq: number;
  readonly topic: InputTopic;
  readonly line: string;
  readonly truth?: Truth;
}

export function envelopeBefore(a: Envelope, b: Envelope): boolean {
  return a.t < b.t || (a.t === b.t && a.seq < b.seq);
}

function compare(a: Envelope, b: Envelope): number {
  return a.t - b.t || a.seq - b.seq;
}

/**
 * Orders events with bounded memory. The generator works one day at a time and never emits an event
 * earlier than the day it is working on; events of that day are kept in a list and sorted once when
 * the day closes, later ones (payments after midnight, labels weeks away) wait in a heap.
 */
export class Timeline {
  private today: Envelope[] = [];
  private readonly later = new MinHeap<Envelope>(envelopeBefore);
  private floor = Number.NEGATIVE_INFINITY;
  private end = Number.NEGATIVE_INFINITY;

  /** Starts the window [startMs, endMs); events before startMs are refused from now on. */
  open(startMs: number, endMs: number): void {
    if (startMs < this.end) throw new Error("days must not overlap");
    this.floor = startMs;
    this.end = endMs;
  }

  push(envelope: Envelope): void {
    if (envelope.t < this.floor) {
      throw new Error(`event at ${new Date(envelope.t).toISOString()} precedes the open window`);
    }
    if (envelope.t < this.end) this.today.push(envelope);
    else this.later.push(envelope);
  }

  /** Everything in the open window, sorted; the window is then closed. */
  close(): Envelope[] {
    const out = this.today;
    this.today = [];
    for (let next = this.later.peek(); next !== undefined && next.t < this.end; next = this.later.peek()) {
      out.push(this.later.pop() as Envelope);
    }
    out.sort(compare);
    this.floor = this.end;
    return out;
  }

  /** Events still waiting after the last window, in order (labels that fall after the last day). */
  *drain(): Generator<Envelope> {
    this.floor = Number.POSITIVE_INFINITY;
    for (let next = this.later.pop(); next !== undefined; next = this.later.pop()) yield next;
  }

  get pending(): number {
    return this.today.length + this.later.size;
  }
}
