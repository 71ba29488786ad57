import type { Entity } from "../definitions/entities.ts";
import { toEurCents } from "../definitions/money.ts";
import { FIELD, STREAM } from "../definitions/state-names.ts";
import { type DomainEvent, eventTimeMs } from "../events/index.ts";
import type { EntityUpdate, EventUpdate, Mutation } from "../online/contract.ts";

/** Collects mutations per entity so each entity is written atomically, once per event. */
class UpdateBuilder {
  private readonly byKey = new Map<string, { entity: Entity; id: string; mutations: Mutation[] }>();
  private readonly t: number;

  constructor(t: number) {
    this.t = t;
  }

  on(entity: Entity, id: string | undefined, ...mutations: Mutation[]): this {
    if (id === undefined) return this;
    const key = `${entity}\u0000${id}`;
    let entry = this.byKey.get(key);
    if (!entry) {
      entry = { entity, id, mutations: [{ op: "min", field: FIELD.firstSeen, value: this.t }] };
      this.byKey.set(key, entry);
    }
    entry.mutations.push(...mutations);
    return this;
  }

  build(eventId: string, neverTooLate: boolean): EventUpdate {
    const entities = [...this.byKey.values()] satisfies EntityUpdate[];
    return { eventId, eventTime: this.t, entities, ...(neverTooLate ? { neverTooLate } : {}) };
  }
}

const add = (stream: string, member: string): Mutation => ({ op: "stream_add", stream, member });
const incr = (field: string, by = 1): Mutation => ({ op: "incr", field, by });
const max = (field: string, value: number): Mutation => ({ op: "max", field, value });
const min = (field: string, value: number): Mutation => ({ op: "min", field, value });

/**
 * The one place that decides what an event does to the online features. Pure: the Kafka consumer,
 * the scoring API and the offline backfill all apply its output, so their features agree.
 */
export function update(event: DomainEvent): EventUpdate {
  const t = eventTimeMs(event);
  const b = new UpdateBuilder(t);
  const id = event.event_id;
  switch (event.type) {
    case "payment_attempt": {
      const failed = event.status === "failed";
      const deviceMutations = event.device_id ? [add(STREAM.devices, event.device_id)] : [];
      b.on(
        "user",
        event.user_id,
        ...deviceMutations,
        ...(failed
          ? [add(STREAM.paymentFailures, id)]
          : [incr(FIELD.paymentsOk), incr(FIELD.paymentsOkCents, toEurCents(event.amount, event.currency))]),
      );
      b.on(
        "payment_instrument",
        event.payment_instrument_id,
        add(STREAM.paymentAttempts, id),
        add(STREAM.users, event.user_id),
        ...(failed ? [add(STREAM.paymentFailures, id)] : [incr(FIELD.paymentsOk)]),
      );
      b.on("device", event.device_id, add(STREAM.users, event.user_id));
      break;
    }
    case "signup":
    case "login":
    case "password_reset":
    case "email_change":
    case "device_added": {
      const own: Mutation[] = [];
      if (event.type === "signup") own.push(min(FIELD.signupAt, t));
      if (event.type === "login") own.push(add(STREAM.logins, id));
      if (event.type === "password_reset") own.push(max(FIELD.passwordResetAt, t));
      if (event.type === "email_change") own.push(max(FIELD.emailChangeAt, t));
      if (event.type === "device_added") own.push(max(FIELD.deviceAddedAt, t));
      if (event.device_id) own.push(add(STREAM.devices, event.device_id));
      if (event.ip) own.push(add(STREAM.ips, event.ip));
      b.on("user", event.user_id, ...own);
      b.on("device", event.device_id, add(STREAM.users, event.user_id));
      b.on(
        "ip",
        event.ip,
        add(STREAM.users, event.user_id),
        ...(event.type === "login" ? [add(STREAM.logins, id)] : []),
      );
      break;
    }
    case "listing_created":
    case "listing_updated": {
      const created = event.type === "listing_created";
      b.on(
        "listing",
        event.listing_id,
        { op: "last", field: FIELD.pricePerNight, value: String(event.price_per_night) },
        ...(created ? [min(FIELD.createdAt, t)] : [add(STREAM.updates, id)]),
      );
      b.on("host", event.host_id, ...(created ? [incr(FIELD.listingsCreated)] : []));
      break;
    }
    case "chargeback":
    case "review_outcome": {
      const labels: Mutation[] = [incr(event.label === "fraud" ? FIELD.fraudLabels : FIELD.legitLabels)];
      if (event.type === "chargeback") labels.push(incr(FIELD.chargebacks));
      b.on("user", event.user_id, ...labels);
      b.on("payment_instrument", event.payment_instrument_id, ...labels);
      break;
    }
    case "checkout": {
      b.on(
        "user",
        event.user.id,
        add(STREAM.checkouts, id),
        add(STREAM.devices, event.device.id),
        add(STREAM.ips, event.device.ip),
        incr(FIELD.checkouts),
      );
      b.on("device", event.device.id, add(STREAM.users, event.user.id), add(STREAM.checkouts, id));
      b.on("payment_instrument", event.payment.instrument_id, add(STREAM.users, event.user.id));
      b.on("listing", event.listing.id, add(STREAM.checkouts, id));
      b.on("host", event.listing.host_id, add(STREAM.guests, event.user.id), add(STREAM.checkouts, id));
      b.on("ip", event.device.ip, add(STREAM.users, event.user.id), add(STREAM.checkouts, id));
      break;
    }
  }
  // Labels (lifetime counters) arrive months after the checkout: never dropped as too late.
  return b.build(id, event.type === "chargeback" || event.type === "review_outcome");
}
