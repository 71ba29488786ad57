import {
  distinctCount,
  entityAndRequest,
  type FeatureSpec,
  lifetimeCounter,
  timeSince,
  windowCount,
} from "./feature-spec.ts";
import { checkoutAmountEur } from "./request-features.ts";
import { COUNTED, FIELD, SET } from "./state-names.ts";
import { DAY, HOUR, LIFETIME_MAX_AGE_MS, MINUTE } from "./time.ts";

/** Features of the device, instrument, listing, host and IP's stored history, in model order. */
export const OTHER_ENTITY_FEATURES: readonly FeatureSpec[] = [
  // device
  distinctCount({
    name: "device_distinct_users_24h",
    entity: "device",
    set: SET.users,
    windowMs: DAY,
    description: "Distinct users seen on this device in the last 24 hours",
  }),
  distinctCount({
    name: "device_distinct_users_7d",
    entity: "device",
    set: SET.users,
    windowMs: 7 * DAY,
    description: "Distinct users seen on this device in the last 7 days",
  }),
  windowCount({
    name: "device_checkouts_1h",
    entity: "device",
    stream: COUNTED.checkouts,
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
  windowCount({
    name: "instrument_failed_10m",
    entity: "payment_instrument",
    stream: COUNTED.paymentFailures,
    windowMs: 10 * MINUTE,
    description: "Failed payment attempts with this instrument in the last 10 minutes (card testing)",
  }),
  windowCount({
    name: "instrument_failed_1h",
    entity: "payment_instrument",
    stream: COUNTED.paymentFailures,
    windowMs: HOUR,
    description: "Failed payment attempts with this instrument in the last hour",
  }),
  windowCount({
    name: "instrument_failed_24h",
    entity: "payment_instrument",
    stream: COUNTED.paymentFailures,
    windowMs: DAY,
    description: "Failed payment attempts with this instrument in the last 24 hours",
  }),
  windowCount({
    name: "instrument_attempts_1h",
    entity: "payment_instrument",
    stream: COUNTED.paymentAttempts,
    windowMs: HOUR,
    description: "Payment attempts (any outcome) with this instrument in the last hour",
  }),
  distinctCount({
    name: "instrument_distinct_users_24h",
    entity: "payment_instrument",
    set: SET.users,
    windowMs: DAY,
    description: "Distinct users of this instrument in the last 24 hours",
  }),
  distinctCount({
    name: "instrument_distinct_users_7d",
    entity: "payment_instrument",
    set: SET.users,
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
  windowCount({
    name: "listing_checkouts_24h",
    entity: "listing",
    stream: COUNTED.checkouts,
    windowMs: DAY,
    description: "Checkouts for this listing in the last 24 hours",
  }),
  windowCount({
    name: "listing_updates_24h",
    entity: "listing",
    stream: COUNTED.updates,
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
  distinctCount({
    name: "host_distinct_guests_24h",
    entity: "host",
    set: SET.guests,
    windowMs: DAY,
    description: "Distinct guests checking out with this host in the last 24 hours",
  }),
  windowCount({
    name: "host_checkouts_24h",
    entity: "host",
    stream: COUNTED.checkouts,
    windowMs: DAY,
    description: "Checkouts with this host in the last 24 hours",
  }),
  // ip
  distinctCount({
    name: "ip_distinct_users_24h",
    entity: "ip",
    set: SET.users,
    windowMs: DAY,
    description: "Distinct users seen from this IP in the last 24 hours",
  }),
  windowCount({
    name: "ip_checkouts_1h",
    entity: "ip",
    stream: COUNTED.checkouts,
    windowMs: HOUR,
    description: "Checkouts from this IP in the last hour",
  }),
  windowCount({
    name: "ip_logins_1h",
    entity: "ip",
    stream: COUNTED.logins,
    windowMs: HOUR,
    description: "Logins from this IP in the last hour",
  }),
];
