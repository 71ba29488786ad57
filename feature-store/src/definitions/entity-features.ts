import {
  entityAndRequest,
  type FeatureSpec,
  lifetimeCounter,
  streamCount,
  timeSince,
} from "./feature-spec.ts";
import { checkoutAmountEur } from "./request-features.ts";
import { FIELD, STREAM } from "./state-names.ts";
import { DAY, HOUR, LIFETIME_MAX_AGE_MS, MINUTE } from "./time.ts";

/** Features of the device, instrument, listing, host and IP's stored history, in model order. */
export const OTHER_ENTITY_FEATURES: readonly FeatureSpec[] = [
  // device
  streamCount({
    name: "device_distinct_users_24h",
    entity: "device",
    stream: STREAM.users,
    windowMs: DAY,
    description: "Distinct users seen on this device in the last 24 hours",
  }),
  streamCount({
    name: "device_distinct_users_7d",
    entity: "device",
    stream: STREAM.users,
    windowMs: 7 * DAY,
    description: "Distinct users seen on this device in the last 7 days",
  }),
  streamCount({
    name: "device_checkouts_1h",
    entity: "device",
    stream: STREAM.checkouts,
    windowMs: HOUR,
    description: "Checkouts from this device in the last hour",
  }),
  timeSince({
    name: "device_days_since_first_seen",
    entity: "device",
    field: FIELD.firstSeen,
    unitMs: DAY,
    cap: 3650,
    whenUnknown: 0,
    maxAgeMs: LIFETIME_MAX_AGE_MS,
    description: "Days since this device was first seen (0 when unknown)",
  }),
  // payment instrument
  streamCount({
    name: "instrument_failed_10m",
    entity: "payment_instrument",
    stream: STREAM.paymentFailures,
    windowMs: 10 * MINUTE,
    description: "Failed payment attempts with this instrument in the last 10 minutes (card testing)",
  }),
  streamCount({
    name: "instrument_failed_1h",
    entity: "payment_instrument",
    stream: STREAM.paymentFailures,
    windowMs: HOUR,
    description: "Failed payment attempts with this instrument in the last hour",
  }),
  streamCount({
    name: "instrument_failed_24h",
    entity: "payment_instrument",
    stream: STREAM.paymentFailures,
    windowMs: DAY,
    description: "Failed payment attempts with this instrument in the last 24 hours",
  }),
  streamCount({
    name: "instrument_attempts_1h",
    entity: "payment_instrument",
    stream: STREAM.paymentAttempts,
    windowMs: HOUR,
    description: "Payment attempts (any outcome) with this instrument in the last hour",
  }),
  streamCount({
    name: "instrument_distinct_users_24h",
    entity: "payment_instrument",
    stream: STREAM.users,
    windowMs: DAY,
    description: "Distinct users of this instrument in the last 24 hours",
  }),
  streamCount({
    name: "instrument_distinct_users_7d",
    entity: "payment_instrument",
    stream: STREAM.users,
    windowMs: 7 * DAY,
    description: "Distinct users of this instrument in the last 7 days",
  }),
  lifetimeCounter({
    name: "instrument_chargebacks",
    entity: "payment_instrument",
    field: FIELD.chargebacks,
    maxAgeMs: LIFETIME_MAX_AGE_MS,
    description: "Chargebacks on this instrument (lifetime)",
  }),
  lifetimeCounter({
    name: "instrument_fraud_labels",
    entity: "payment_instrument",
    field: FIELD.fraudLabels,
    maxAgeMs: LIFETIME_MAX_AGE_MS,
    description: "Bookings paid with this instrument labelled fraud",
  }),
  lifetimeCounter({
    name: "instrument_successful_payments",
    entity: "payment_instrument",
    field: FIELD.paymentsOk,
    maxAgeMs: LIFETIME_MAX_AGE_MS,
    description: "Successful payments with this instrument (lifetime)",
  }),
  timeSince({
    name: "instrument_days_since_first_seen",
    entity: "payment_instrument",
    field: FIELD.firstSeen,
    unitMs: DAY,
    cap: 3650,
    whenUnknown: 0,
    maxAgeMs: LIFETIME_MAX_AGE_MS,
    description: "Days since this instrument was first seen (0 when unknown)",
  }),
  // listing
  timeSince({
    name: "listing_age_days",
    entity: "listing",
    field: FIELD.createdAt,
    unitMs: DAY,
    cap: 3650,
    whenUnknown: 0,
    maxAgeMs: LIFETIME_MAX_AGE_MS,
    description: "Days since the listing was created (0 when unknown)",
  }),
  streamCount({
    name: "listing_checkouts_24h",
    entity: "listing",
    stream: STREAM.checkouts,
    windowMs: DAY,
    description: "Checkouts for this listing in the last 24 hours",
  }),
  streamCount({
    name: "listing_updates_24h",
    entity: "listing",
    stream: STREAM.updates,
    windowMs: DAY,
    description: "Edits to this listing in the last 24 hours (hijacked listings get edited)",
  }),
  entityAndRequest({
    name: "listing_price_ratio",
    entity: "listing",
    type: "float",
    default: 1,
    maxAgeMs: LIFETIME_MAX_AGE_MS,
    fields: [FIELD.pricePerNight],
    inputs: ["booking.amount", "booking.currency", "booking.nights"],
    description: "Booked amount per night over the listing's price per night (1 when unknown)",
    compute: (field, c) => {
      const price = Number(field(FIELD.pricePerNight) ?? 0);
      return price > 0 ? checkoutAmountEur(c) / c.booking.nights / price : undefined;
    },
  }),
  // host
  lifetimeCounter({
    name: "host_listings_created",
    entity: "host",
    field: FIELD.listingsCreated,
    maxAgeMs: LIFETIME_MAX_AGE_MS,
    description: "Listings this host created (lifetime)",
  }),
  timeSince({
    name: "host_days_since_first_seen",
    entity: "host",
    field: FIELD.firstSeen,
    unitMs: DAY,
    cap: 3650,
    whenUnknown: 0,
    maxAgeMs: LIFETIME_MAX_AGE_MS,
    description: "Days since this host was first seen (0 when unknown)",
  }),
  streamCount({
    name: "host_distinct_guests_24h",
    entity: "host",
    stream: STREAM.guests,
    windowMs: DAY,
    description: "Distinct guests checking out with this host in the last 24 hours",
  }),
  streamCount({
    name: "host_checkouts_24h",
    entity: "host",
    stream: STREAM.checkouts,
    windowMs: DAY,
    description: "Checkouts with this host in the last 24 hours",
  }),
  // ip
  streamCount({
    name: "ip_distinct_users_24h",
    entity: "ip",
    stream: STREAM.users,
    windowMs: DAY,
    description: "Distinct users seen from this IP in the last 24 hours",
  }),
  streamCount({
    name: "ip_checkouts_1h",
    entity: "ip",
    stream: STREAM.checkouts,
    windowMs: HOUR,
    description: "Checkouts from this IP in the last hour",
  }),
  streamCount({
    name: "ip_logins_1h",
    entity: "ip",
    stream: STREAM.logins,
    windowMs: HOUR,
    description: "Logins from this IP in the last hour",
  }),
];
