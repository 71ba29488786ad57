// Builders of valid events for tests: each takes overrides so a test states only what matters.
import type {
  AccountEvent,
  Checkout,
  CheckoutMessage,
  LabelEvent,
  ListingEvent,
  PaymentAttempt,
} from "@riskgate/feature-store/events";

export const T0 = Date.parse("2026-03-01T12:00:00.000Z");
export const iso = (ms: number) => new Date(ms).toISOString();

export function payment(id: string, at: number, over: Partial<PaymentAttempt> = {}): PaymentAttempt {
  return {
    type: "payment_attempt",
    event_id: id,
    occurred_at: iso(at),
    user_id: "u_1",
    payment_instrument_id: "pi_1",
    device_id: "d_1",
    amount: 120,
    currency: "EUR",
    status: "succeeded",
    ...over,
  };
}

export function account(id: string, at: number, over: Partial<AccountEvent> = {}): AccountEvent {
  return {
    type: "login",
    event_id: id,
    occurred_at: iso(at),
    user_id: "u_1",
    device_id: "d_1",
    ip: "10.0.0.1",
    ...over,
  };
}

export function listing(id: string, at: number, over: Partial<ListingEvent> = {}): ListingEvent {
  return {
    type: "listing_created",
    event_id: id,
    occurred_at: iso(at),
    listing_id: "l_1",
    host_id: "h_1",
    country: "PT",
    price_per_night: 100,
    ...over,
  };
}

export function label(id: string, at: number, over: Partial<LabelEvent> = {}): LabelEvent {
  return {
    type: "chargeback",
    event_id: id,
    occurred_at: iso(at),
    checkout_event_id: "co_0",
    label: "fraud",
    user_id: "u_1",
    payment_instrument_id: "pi_1",
    ...over,
  };
}

export function checkout(id: string, at: number, over: Partial<Checkout> = {}): Checkout {
  return {
    event_id: id,
    occurred_at: iso(at),
    user: {
      id: "u_1",
      created_at: iso(at - 90 * 86_400_000),
      email_domain: "example.com",
      email_verified: true,
    },
    device: { id: "d_1", ip: "10.0.0.1", ip_country: "PT", user_agent: "Mozilla/5.0" },
    payment: { instrument_id: "pi_1", type: "card", bin: "424242", country: "PT", billing_country: "PT" },
    listing: { id: "l_1", host_id: "h_1", country: "PT" },
    booking: { amount: 300, currency: "EUR", nights: 3, checkin_at: iso(at + 14 * 86_400_000) },
    message: { text: "Looking forward to the stay" },
    ...over,
  };
}

export function checkoutMessage(id: string, at: number, over: Partial<Checkout> = {}): CheckoutMessage {
  return { type: "checkout", ...checkout(id, at, over) };
}
