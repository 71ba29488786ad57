import type { Entity } from "../definitions/entities.ts";
import { toEurCents } from "../definitions/money.ts";
import { COUNTED, FIELD, SET } from "../definitions/state-names.ts";
import { FEATURE_WINDOWS } from "../definitions/state-windows.ts";
import { type DomainEvent, eventTimeMs } from "../events/index.ts";
import type { EntityUpdate, EventUpdate, Mutation } from "../online/contract.ts";

/** A count or set write before it knows its entity (and so the windows its buckets serve). */
type Pending =
  | Mutation
  | { op: "count_of"; stream: string }
  | { op: "distinct_of"; set: string; member: string };

/**
 * Collects mutations per entity so each entity is written atomically, once per event; counts and
 * sets get the windows the features read them over for that entity.
 */
class UpdateBuilder {
  private readonly byKey = new Map<string, { entity: Entity; id: string; mutations: Mutation[] }>();
  private readonly t: number;

  constructor(t: number) {
    this.t = t;
  }

  on(entity: Entity, id: string | undefined, ...pending: Pending[]): this {
    if (id === undefined) return this;
    const key = `${entity}\u0000${id}`;
    let entry = this.byKey.get(key);
    if (!entry) {
      entry = { entity, id, mutations: [{ op: "min", field: FIELD.firstSeen, value: this.t }] };
      this.byKey.set(key, entry);
    }
    for (const p of pending) {
      if (p.op === "count_of") {
        entry.mutations.push({
          op: "count",
          stream: p.stream,
          windows: FEATURE_WINDOWS.of(entity, p.stream),
        });
      } else if (p.op === "distinct_of") {
        const windows = FEATURE_WINDOWS.of(entity, p.set);
        entry.mutations.push({ op: "distinct", set: p.set, member: p.member, windows });
      } else {
        entry.mutations.push(p);
      }
    }
    return this;
  }

  build(eventId: string, neverTooLate: boolean): EventUpdate {
    const entities = [...this.byKey.values()] satisfies EntityUpdate[];
    return { eventId, eventTime: this.t, entities, ...(neverTooLate ? { neverTooLate } : {}) };
  }
}

const count = (stream: string): Pending => ({ op: "count_of", stream });
const distinct = (set: string, member: string): Pending => ({ op: "distinct_of", set, member });
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
      const deviceMutations = event.device_id ? [distinct(SET.devices, event.device_id)] : [];
      b.on(
        "user",
        event.user_id,
        ...deviceMutations,
        ...(failed
          ? [count(COUNTED.paymentFailures)]
          : [incr(FIELD.paymentsOk), incr(FIELD.paymentsOkCents, toEurCents(event.amount, event.currency))]),
      );
      b.on(
        "payment_instrument",
        event.payment_instrument_id,
        count(COUNTED.paymentAttempts),
        distinct(SET.users, event.user_id),
        ...(failed ? [count(COUNTED.paymentFailures)] : [incr(FIELD.paymentsOk)]),
      );
      b.on("device", event.device_id, distinct(SET.users, event.user_id));
      break;
    }
    case "signup":
    case "login":
    case "password_reset":
    case "email_change":
    case "device_added": {
      const own: Pending[] = [];
      if (event.type === "signup") own.push(min(FIELD.signupAt, t));
      if (event.type === "login") own.push(count(COUNTED.logins));
      if (event.type === "password_reset") own.push(max(FIELD.passwordResetAt, t));
      if (event.type === "email_change") own.push(max(FIELD.emailChangeAt, t));
      if (event.type === "device_added") own.push(max(FIELD.deviceAddedAt, t));
      if (event.device_id) own.push(distinct(SET.devices, event.device_id));
      if (event.ip) own.push(distinct(SET.ips, event.ip));
      b.on("user", event.user_id, ...own);
      b.on("device", event.device_id, distinct(SET.users, event.user_id));
      b.on(
        "ip",
        event.ip,
        distinct(SET.users, event.user_id),
        ...(event.type === "login" ? [count(COUNTED.logins)] : []),
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
        ...(created ? [min(FIELD.createdAt, t)] : [count(COUNTED.updates)]),
      );
      b.on("host", event.host_id, ...(created ? [incr(FIELD.listingsCreated)] : []));
      break;
    }
    case "chargeback":
    case "review_outcome": {
      const labels: Pending[] = [incr(event.label === "fraud" ? FIELD.fraudLabels : FIELD.legitLabels)];
      if (event.type === "chargeback") labels.push(incr(FIELD.chargebacks));
      b.on("user", event.user_id, ...labels);
      b.on("payment_instrument", event.payment_instrument_id, ...labels);
      break;
    }
    case "checkout": {
      b.on(
        "user",
        event.user.id,
        count(COUNTED.checkouts),
        distinct(SET.devices, event.device.id),
        distinct(SET.ips, event.device.ip),
        incr(FIELD.checkouts),
      );
      b.on("device", event.device.id, distinct(SET.users, event.user.id), count(COUNTED.checkouts));
      b.on("payment_instrument", event.payment.instrument_id, distinct(SET.users, event.user.id));
      b.on("listing", event.listing.id, count(COUNTED.checkouts));
      b.on("host", event.listing.host_id, distinct(SET.guests, event.user.id), count(COUNTED.checkouts));
      b.on("ip", event.device.ip, distinct(SET.users, event.user.id), count(COUNTED.checkouts));
      break;
    }
  }
  // Labels (lifetime counters) arrive months after the checkout: never dropped as too late.
  return b.build(id, event.type === "chargeback" || event.type === "review_outcome");
}
