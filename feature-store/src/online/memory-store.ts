import { HORIZON_MS } from "../definitions/time.ts";
import {
  type ApplyOutcome,
  type ApplyResult,
  type EntitySnapshot,
  type EventUpdate,
  type Mutation,
  type OnlineStore,
  type RawState,
  type ReadPlan,
  WATERMARK_FIELD,
} from "./contract.ts";
import { isNewer } from "./last-writer.ts";

interface EntityState {
  readonly fields: Map<string, string>;
  readonly streams: Map<string, Map<string, number>>;
  /** event_id → event time, reaching back HORIZON_MS from the watermark. */
  readonly seen: Map<string, number>;
  watermark: number;
  writesSinceTrim: number;
}

export interface MemoryStoreOptions {
  /** Counts events dropped for arriving later than the horizon. */
  onTooLate?: () => void;
}

/** Trimming is storage hygiene only (every read is windowed), so it runs every so many writes. */
const TRIM_EVERY_WRITES = 256;

/**
 * The online store in process memory: the embedded default for `npm start` and the engine of the
 * offline backfill. Same semantics as the Redis store; one conformance suite checks both.
 */
export class MemoryStore implements OnlineStore {
  private readonly entities = new Map<string, EntityState>();
  private readonly options: MemoryStoreOptions;

  constructor(options: MemoryStoreOptions = {}) {
    this.options = options;
  }

  async apply(update: EventUpdate): Promise<ApplyResult> {
    return this.applySync(update);
  }

  async applyBatch(updates: readonly EventUpdate[]): Promise<ApplyResult[]> {
    return updates.map((u) => this.applySync(u));
  }

  /** Synchronous form for the backfill, which replays millions of events in one loop. */
  applySync(update: EventUpdate): ApplyResult {
    const outcomes: ApplyOutcome[] = [];
    for (const eu of update.entities) {
      const key = `${eu.entity}\u0000${eu.id}`;
      let state = this.entities.get(key);
      if (!state) {
        state = {
          fields: new Map(),
          streams: new Map(),
          seen: new Map(),
          watermark: -Infinity,
          writesSinceTrim: 0,
        };
      }
      const outcome = applyToEntity(state, update, eu.mutations);
      if (outcome === "too_late") this.options.onTooLate?.();
      if (outcome === "applied") this.entities.set(key, state);
      outcomes.push(outcome);
    }
    return { outcomes };
  }

  async read(plan: ReadPlan): Promise<RawState> {
    return this.readSync(plan);
  }

  readSync(plan: ReadPlan): RawState {
    return plan.entities.map((er): EntitySnapshot => {
      const state = this.entities.get(`${er.entity}\u0000${er.id}`);
      if (!state) {
        return { fields: null, counts: er.counts.map(() => 0), members: er.members.map(() => null) };
      }
      const counts = er.counts.map((c) => {
        const stream = state.streams.get(c.stream);
        if (!stream) return 0;
        const from = plan.asOf - c.windowMs;
        let n = 0;
        for (const t of stream.values()) if (t > from && t <= plan.asOf) n++;
        return n;
      });
      const members = er.members.map((m) => {
        const t = state.streams.get(m.stream)?.get(m.member);
        return t !== undefined && t > plan.asOf - m.windowMs ? t : null;
      });
      return { fields: Object.fromEntries(state.fields), counts, members };
    });
  }
}

function applyToEntity(
  state: EntityState,
  update: EventUpdate,
  mutations: readonly Mutation[],
): ApplyOutcome {
  let t = update.eventTime;
  if (t < state.watermark - HORIZON_MS) {
    if (!update.neverTooLate) return "too_late";
    t = state.watermark;
  }
  if (state.seen.has(update.eventId)) return "duplicate";
  state.seen.set(update.eventId, t);
  if (t > state.watermark) {
    state.watermark = t;
    state.fields.set(WATERMARK_FIELD, String(t));
  }
  const f = state.fields;
  for (const m of mutations) {
    switch (m.op) {
      case "stream_add": {
        let stream = state.streams.get(m.stream);
        if (!stream) {
          stream = new Map();
          state.streams.set(m.stream, stream);
        }
        const prev = stream.get(m.member);
        if (prev === undefined || t > prev) stream.set(m.member, t);
        break;
      }
      case "incr":
        f.set(m.field, String(Number(f.get(m.field) ?? 0) + m.by));
        break;
      case "min": {
        const cur = f.get(m.field);
        if (cur === undefined || m.value < Number(cur)) f.set(m.field, String(m.value));
        break;
      }
      case "max": {
        const cur = f.get(m.field);
        if (cur === undefined || m.value > Number(cur)) f.set(m.field, String(m.value));
        break;
      }
      case "last": {
        if (isNewer(t, update.eventId, f.get(`${m.field}@t`), f.get(`${m.field}@id`))) {
          f.set(m.field, m.value);
          f.set(`${m.field}@t`, String(t));
          f.set(`${m.field}@id`, update.eventId);
        }
        break;
      }
    }
  }
  if (++state.writesSinceTrim >= TRIM_EVERY_WRITES) trim(state);
  return "applied";
}

function trim(state: EntityState): void {
  state.writesSinceTrim = 0;
  const floor = state.watermark - HORIZON_MS;
  for (const [id, t] of state.seen) if (t < floor) state.seen.delete(id);
  for (const stream of state.streams.values()) {
    for (const [member, t] of stream) if (t < floor) stream.delete(member);
  }
}
