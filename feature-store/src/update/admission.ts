import { HORIZON_MS } from "../definitions/time.ts";
import {
  type Checkout,
  type DomainEvent,
  EventDecodeError,
  eventTimeMs,
  type Pseudonymiser,
} from "../events/index.ts";

/** What the scoring API and the Kafka consumer do to a decoded event before the store sees it. */
export interface Admission {
  readonly pseudonymiser: Pseudonymiser;
  /** An event further than this ahead of `now()` is refused (MAX_CLOCK_SKEW_MS). */
  readonly maxClockSkewMs: number;
  now(): number;
}

/**
 * Refuses an event from the future. One future-dated event would move its entities' watermarks
 * ahead: housekeeping would trim their real history and drop every later event as too late.
 */
export function refuseFutureEvent(event: { readonly occurred_at: string }, admission: Admission): void {
  const aheadMs = eventTimeMs(event) - admission.now();
  if (aheadMs > admission.maxClockSkewMs) {
    throw new EventDecodeError(
      "event_in_future",
      "/occurred_at",
      `/occurred_at: ${Math.round(aheadMs / 1000)} s ahead of the service's clock; at most ` +
        `${Math.round(admission.maxClockSkewMs / 1000)} s of clock skew is accepted`,
    );
  }
}

/**
 * A label counts for its entity's lifetime (its counters have no window), so its event time only
 * decides whether the store takes it and how long its dedup record lives. A chargeback may arrive
 * months after it happened, later than the store's horizon behind the entity's newest event: it is
 * applied at no earlier than half a horizon before now. Every watermark is at most the clock skew
 * ahead of now (refuseFutureEvent), so the label lands inside every horizon, never dropped as too
 * late, and its dedup record outlives a redelivery by about half a horizon (15 days).
 */
export function labelApplyTime<E extends DomainEvent>(event: E, now: number): E {
  if (event.type !== "chargeback" && event.type !== "review_outcome") return event;
  const floor = now - HORIZON_MS / 2;
  return eventTimeMs(event) >= floor ? event : { ...event, occurred_at: new Date(floor).toISOString() };
}

/** Future events refused, identifiers pseudonymised, late labels brought inside the horizon. */
export function admitEvent(event: DomainEvent, admission: Admission): DomainEvent {
  refuseFutureEvent(event, admission);
  return labelApplyTime(admission.pseudonymiser.event(event), admission.now());
}

/** The body of `POST /v1/score` and `POST /v1/features`: future checkouts refused, identifiers pseudonymised. */
export function admitCheckout(checkout: Checkout, admission: Admission): Checkout {
  refuseFutureEvent(checkout, admission);
  return admission.pseudonymiser.checkout(checkout);
}
