import {
  type AccountEvent,
  type CheckoutMessage,
  type DomainEvent,
  decodeEvent,
  type InputTopic,
  type LabelEvent,
  type PaymentAttempt,
} from "@riskgate/feature-store/events";
import type { Device, Instrument, Listing, User } from "./entities.ts";
import type { Currency } from "./geo.ts";
import type { EventIdOf } from "./ids.ts";
import { DAY_MS, HOUR_MS, iso } from "./time.ts";
import type { Timeline, Truth } from "./timeline/timeline.ts";

type AccountType = "signup" | "login" | "password_reset" | "email_change" | "device_added";

export interface CheckoutSpec {
  readonly user: User;
  readonly device: Device;
  readonly ip: string;
  readonly ipCountry: string;
  readonly instrument: Instrument;
  readonly listing: Listing;
  readonly amount: number;
  readonly currency: Currency;
  readonly nights: number;
  readonly checkinAtMs: number;
  readonly message: string | undefined;
  /** Overrides the user's current email domain/verification (after a takeover's email change). */
  readonly email?: { domain: string; verified: boolean };
}

/**
 * Builds events, checks each one against the contract (decodeEvent) and hands it to the timeline.
 * Event ids come from one counter behind the world's prefix, so they are unique across all files.
 */
export class Emitter {
  private seq = 0;
  readonly counts = new Map<string, number>();
  private readonly timeline: Timeline;
  private readonly validate: boolean;
  private readonly eventId: EventIdOf;

  constructor(timeline: Timeline, validate: boolean, eventId: EventIdOf) {
    this.timeline = timeline;
    this.validate = validate;
    this.eventId = eventId;
  }

  get emitted(): number {
    return this.seq;
  }

  private emit(t: number, topic: InputTopic, build: (id: string, at: string) => DomainEvent, truth?: Truth) {
    const seq = ++this.seq;
    const id = this.eventId(seq);
    const event = build(id, iso(t));
    if (this.validate) decodeEvent(event);
    this.counts.set(event.type, (this.counts.get(event.type) ?? 0) + 1);
    this.timeline.push(
      truth
        ? { t, seq, topic, line: JSON.stringify(event), truth }
        : { t, seq, topic, line: JSON.stringify(event) },
    );
    return id;
  }

  account(t: number, type: AccountType, user: User, device?: Device, ip?: string): string {
    return this.emit(t, "accounts", (event_id, occurred_at) => {
      const e: AccountEvent = { type, event_id, occurred_at, user_id: user.id };
      if (device) e.device_id = device.id;
      if (ip) e.ip = ip;
      return e;
    });
  }

  payment(
    t: number,
    p: {
      user: User;
      instrument: Instrument;
      device: Device | undefined;
      amount: number;
      currency: Currency;
      failureCode?: string;
    },
  ): string {
    return this.emit(t, "payments", (event_id, occurred_at) => {
      const e: PaymentAttempt = {
        type: "payment_attempt",
        event_id,
        occurred_at,
        user_id: p.user.id,
        payment_instrument_id: p.instrument.id,
        amount: p.amount,
        currency: p.currency,
        status: p.failureCode ? "failed" : "succeeded",
      };
      if (p.device) e.device_id = p.device.id;
      if (p.failureCode) e.failure_code = p.failureCode;
      return e;
    });
  }

  listing(t: number, type: "listing_created" | "listing_updated", listing: Listing): string {
    return this.emit(t, "listings", (event_id, occurred_at) => ({
      type,
      event_id,
      occurred_at,
      listing_id: listing.id,
      host_id: listing.hostId,
      country: listing.country,
      price_per_night: listing.pricePerNight,
    }));
  }

  label(
    t: number,
    l: {
      type: LabelEvent["type"];
      checkoutId: string;
      label: LabelEvent["label"];
      user: User;
      instrument: Instrument;
    },
  ): string {
    return this.emit(t, "labels", (event_id, occurred_at) => ({
      type: l.type,
      event_id,
      occurred_at,
      checkout_event_id: l.checkoutId,
      label: l.label,
      user_id: l.user.id,
      payment_instrument_id: l.instrument.id,
    }));
  }

  checkout(t: number, c: CheckoutSpec, truth: Truth): string {
    return this.emit(
      t,
      "checkouts",
      (event_id, occurred_at): CheckoutMessage => {
        const payment: CheckoutMessage["payment"] = {
          instrument_id: c.instrument.id,
          type: c.instrument.type,
        };
        if (c.instrument.bin) payment.bin = c.instrument.bin;
        payment.country = c.instrument.country;
        payment.billing_country = c.instrument.billingCountry;
        return {
          type: "checkout",
          event_id,
          occurred_at,
          user: {
            id: c.user.id,
            created_at: iso(c.user.createdAtMs),
            email_domain: c.email?.domain ?? c.user.emailDomain,
            email_verified: c.email?.verified ?? c.user.emailVerified,
          },
          device: { id: c.device.id, ip: c.ip, ip_country: c.ipCountry, user_agent: c.device.userAgent },
          payment,
          listing: { id: c.listing.id, host_id: c.listing.hostId, country: c.listing.country },
          booking: {
            amount: c.amount,
            currency: c.currency,
            nights: c.nights,
            checkin_at: iso(c.checkinAtMs),
          },
          message: c.message === undefined ? {} : { text: c.message },
        };
      },
      truth,
    );
  }
}

/** Check-in at 15:00 UTC, `leadDays` after the checkout, never before the checkout itself. */
export function checkinAt(checkoutMs: number, leadDays: number): number {
  const day = Math.floor((checkoutMs + leadDays * DAY_MS) / DAY_MS) * DAY_MS;
  let at = day + 15 * HOUR_MS;
  while (at <= checkoutMs + HOUR_MS) at += DAY_MS;
  return at;
}
