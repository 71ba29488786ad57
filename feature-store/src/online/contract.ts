import type { Entity } from "../definitions/entities.ts";

/**
 * The state model both online stores implement, bounded per entity whatever its traffic
 * (feature-store/README.md, "Bounded state"): a hash of fields, counted streams kept as rings of
 * time buckets, and sets of members kept exactly up to a cap and as HyperLogLogs beyond it. Every
 * operation is commutative and idempotent under the per-event dedup, so event order and
 * redelivery do not change a read made as of the entity's newest event.
 */
export type Mutation =
  /** Count the event in a stream, in the buckets that the given windows are read from. */
  | { op: "count"; stream: string; windows: readonly number[] }
  /** Add a member to a set at event time t (newest time per member); windows as for count. */
  | { op: "distinct"; set: string; member: string; windows: readonly number[] }
  /** Add an integer to a counter field. */
  | { op: "incr"; field: string; by: number }
  /** Keep the smaller / larger number. */
  | { op: "min"; field: string; value: number }
  | { op: "max"; field: string; value: number }
  /** Last-writer-wins by (event time, event id): a stale write never overwrites a newer one. */
  | { op: "last"; field: string; value: string };

export interface EntityUpdate {
  readonly entity: Entity;
  readonly id: string;
  readonly mutations: readonly Mutation[];
}

/** Everything one event does to the store, applied per entity with dedup on event_id. */
export interface EventUpdate {
  readonly eventId: string;
  readonly eventTime: number;
  readonly entities: readonly EntityUpdate[];
  /**
   * Labels: their counters have no window, so an event later than the horizon is still counted,
   * at the entity's newest time (its dedup record then lives a whole horizon), never dropped.
   */
  readonly neverTooLate?: boolean;
}

export type ApplyOutcome = "applied" | "duplicate" | "too_late";

export interface ApplyResult {
  /** One outcome per entity update, in order. */
  readonly outcomes: readonly ApplyOutcome[];
}

export interface WindowRead {
  /** A counted stream or a set. */
  readonly name: string;
  readonly windowMs: number;
}

export interface EntityRead {
  readonly entity: Entity;
  readonly id: string;
  /** Events counted in the stream over the window (from its buckets). */
  readonly counts: readonly WindowRead[];
  /** Distinct members of the set whose newest time lies in (asOf - window, asOf]. */
  readonly distinct: readonly WindowRead[];
  /** The newest time of one member of a set, when it lies after asOf - window. */
  readonly members: readonly (WindowRead & { readonly member: string })[];
}

export interface ReadPlan {
  readonly asOf: number;
  readonly entities: readonly EntityRead[];
}

export interface EntitySnapshot {
  /** null when the store knows nothing about the entity. */
  readonly fields: Readonly<Record<string, string>> | null;
  /** Indexed like EntityRead.counts. */
  readonly counts: readonly number[];
  /** Indexed like EntityRead.distinct. */
  readonly distinct: readonly number[];
  /** Indexed like EntityRead.members; null when absent or outside the window. */
  readonly members: readonly (number | null)[];
}

/** Indexed like ReadPlan.entities. */
export type RawState = readonly EntitySnapshot[];

export interface OnlineStore {
  apply(update: EventUpdate): Promise<ApplyResult>;
  /** Applies many events in order; on Redis, one round trip for the lot. */
  applyBatch(updates: readonly EventUpdate[]): Promise<ApplyResult[]>;
  /** Reads everything a plan names in one round trip. */
  read(plan: ReadPlan): Promise<RawState>;
  /**
   * Reads the plan, then applies the update, in one round trip and atomically per entity: the
   * state read is the one before the update, and no other event comes between the two.
   */
  readThenApply(plan: ReadPlan, update: EventUpdate): Promise<{ state: RawState; applied: ApplyResult }>;
}

/** Hash fields the stores maintain themselves. */
export const WATERMARK_FIELD = "_wm";
