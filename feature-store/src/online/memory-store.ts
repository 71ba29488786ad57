import type {
  ApplyOutcome,
  ApplyResult,
  EntitySnapshot,
  EventUpdate,
  OnlineStore,
  RawState,
  ReadPlan,
} from "./contract.ts";
import { MemoryEntity } from "./memory-entity.ts";

export interface MemoryStoreOptions {
  /** Counts events dropped for arriving later than the horizon. */
  onTooLate?: () => void;
}

/**
 * The online store in process memory: the embedded default for `npm start` and the engine of the
 * offline backfill. Same semantics and the same bounded state as the Redis store; one conformance
 * suite checks both.
 */
export class MemoryStore implements OnlineStore {
  private readonly entities = new Map<string, MemoryEntity>();
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
      const state = this.entities.get(key) ?? new MemoryEntity();
      const outcome = state.apply(update.eventId, update.eventTime, eu.mutations, update.neverTooLate);
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
      if (state) return state.read(er, plan.asOf);
      return {
        fields: null,
        counts: er.counts.map(() => 0),
        distinct: er.distinct.map(() => 0),
        members: er.members.map(() => null),
      };
    });
  }
}
