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
  /**
   * Most entities held (default DEFAULT_MAX_ENTITIES; at least 32, twice an event's entities). An
   * entity not written while about maxEntities / 2 others were created is forgotten, as its Redis
   * keys would expire, and counted by `onEvicted`: a process's memory must not grow with traffic (every new user, device
   * and card is an entity). Unbounded only where the input is finite and forgetting would change
   * the answer: the backfill of a world.
   */
  maxEntities?: number;
  onEvicted?: (entities: number) => void;
}

/** About 2 KB of heap per entity (bench:store): ~400 MB for the embedded default at its bound. */
export const DEFAULT_MAX_ENTITIES = 200_000;

/**
 * The online store in process memory: the embedded default for `npm start` and the engine of the
 * offline backfill. Same semantics and the same bounded state as the Redis store; one conformance
 * suite checks both.
 *
 * Entities live in two generations: writes land in `young`, and an entity found in `old` moves up
 * when written. When `young` holds half the bound, `old` (whatever was not written since) is
 * dropped whole and `young` becomes `old`. A least-recently-written list would move the hot
 * entities of every checkout to its end, a Map re-insertion each: writes cost 2 ms each at
 * 200,000 entities in bench:store, against ~0.05 ms with generations.
 */
export class MemoryStore implements OnlineStore {
  private young = new Map<string, MemoryEntity>();
  private old = new Map<string, MemoryEntity>();
  private readonly options: MemoryStoreOptions;
  private readonly generation: number;

  constructor(options: MemoryStoreOptions = {}) {
    this.options = options;
    const max = options.maxEntities ?? DEFAULT_MAX_ENTITIES;
    if (!(max >= 32)) throw new RangeError(`maxEntities must be at least 32, not ${max}`);
    this.generation = max / 2;
  }

  /** Entities held now (at most maxEntities). */
  get size(): number {
    return this.young.size + this.old.size;
  }

  async apply(update: EventUpdate): Promise<ApplyResult> {
    return this.applySync(update);
  }

  async applyBatch(updates: readonly EventUpdate[]): Promise<ApplyResult[]> {
    return updates.map((u) => this.applySync(u));
  }

  /** Synchronous form for the backfill, which replays millions of events in one loop. */
  applySync(update: EventUpdate): ApplyResult {
    // Before the event, not between its entities: one of them may sit in the generation dropped.
    if (this.young.size + update.entities.length > this.generation) this.rotate();
    const outcomes: ApplyOutcome[] = [];
    for (const eu of update.entities) {
      const key = `${eu.entity}\u0000${eu.id}`;
      const young = this.young.get(key);
      const held = young ?? this.old.get(key);
      const state = held ?? new MemoryEntity();
      const outcome = state.apply(update.eventId, update.eventTime, eu.mutations, update.neverTooLate);
      if (outcome === "too_late") this.options.onTooLate?.();
      if (outcome === "applied" && young === undefined) this.promote(key, state, held !== undefined);
      outcomes.push(outcome);
    }
    return { outcomes };
  }

  private promote(key: string, state: MemoryEntity, fromOld: boolean): void {
    if (fromOld) this.old.delete(key);
    this.young.set(key, state);
  }

  private rotate(): void {
    if (this.old.size > 0) this.options.onEvicted?.(this.old.size);
    this.old = this.young;
    this.young = new Map();
  }

  private find(key: string): MemoryEntity | undefined {
    return this.young.get(key) ?? this.old.get(key);
  }

  async read(plan: ReadPlan): Promise<RawState> {
    return this.readSync(plan);
  }

  async readThenApply(
    plan: ReadPlan,
    update: EventUpdate,
  ): Promise<{ state: RawState; applied: ApplyResult }> {
    const state = this.readSync(plan);
    return { state, applied: this.applySync(update) };
  }

  readSync(plan: ReadPlan): RawState {
    return plan.entities.map((er): EntitySnapshot => {
      const state = this.find(`${er.entity}\u0000${er.id}`);
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
