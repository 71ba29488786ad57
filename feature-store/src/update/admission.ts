import {
  type Checkout,
  type DomainEvent,
  EventDecodeError,
  type EventSource,
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
 * Future events refused, identifiers pseudonymised. `source`: where the event entered; only the
 * labels topic keeps pseudonyms it already carries (events/pseudonymise.ts).
 */
export function admitEvent(event: DomainEvent, admission: Admission, source: EventSource): DomainEvent {
  refuseFutureEvent(event, admission);
  return admission.pseudonymiser.event(event, source);
}

/** The body of `POST /v1/score` and `POST /v1/features`: future checkouts refused, every identifier pseudonymised. */
export function admitCheckout(checkout: Checkout, admission: Admission): Checkout {
  refuseFutureEvent(checkout, admission);
  return admission.pseudonymiser.checkout(checkout);
}
