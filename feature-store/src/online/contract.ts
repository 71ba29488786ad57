import type { Entity } from "../definitions/entities.ts";

/**
 * The state model both online stores implement. Per entity: a hash of fields and a few "streams"
 * (member → event time, keeping the newest time per member). Every operation is commutative and
 * idempotent under the per-event dedup, so event order and redelivery do not change a read.
 */
export type Mutation =
  /** Add a member to a stream at event time t, keeping the newest time per member. */
  | { op: "stream_add"; stream: string; member: string }
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

export interface StreamRead {
  readonly stream: string;
  readonly windowMs: number;
}

export interface EntityRead {
  readonly entity: Entity;
  readonly id: string;
  /** Members in the stream whose newest time lies in (asOf - window, asOf]. */
  readonly counts: readonly StreamRead[];
  /** The newest time of one member, when it lies after asOf - window. */
  readonly members: readonly (StreamRead & { readonly member: string })[];
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
}

/** Hash fields the stores maintain themselves. */
export const WATERMARK_FIELD = "_wm";
