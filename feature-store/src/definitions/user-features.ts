import {
  entityAndRequest,
  type FeatureSpec,
  lifetimeCounter,
  notSeenBefore,
  streamCount,
  timeSince,
} from "./feature-spec.ts";
import { toEurCents } from "./money.ts";
import { FIELD, STREAM } from "./state-names.ts";
import { DAY, HORIZON_MS, HOUR, LIFETIME_MAX_AGE_MS } from "./time.ts";

/** Features of the user's stored history, in model order. */
export const USER_FEATURES: readonly FeatureSpec[] = [
  streamCount({
    name: "user_checkouts_1h",
    entity: "user",
    stream: STREAM.checkouts,
    windowMs: HOUR,
    description: "Checkouts scored for this user in the last hour (before this one)",
  }),
  streamCount({
    name: "user_checkouts_24h",
    entity: "user",
    stream: STREAM.checkouts,
    windowMs: DAY,
    description: "Checkouts scored for this user in the last 24 hours",
  }),
  streamCount({
    name: "user_failed_payments_1h",
    entity: "user",
    stream: STREAM.paymentFailures,
    windowMs: HOUR,
    description: "Failed payment attempts by this user in the last hour",
  }),
  streamCount({
    name: "user_failed_payments_24h",
    entity: "user",
    stream: STREAM.paymentFailures,
    windowMs: DAY,
    description: "Failed payment attempts by this user in the last 24 hours",
  }),
  streamCount({
    name: "user_logins_24h",
    entity: "user",
    stream: STREAM.logins,
    windowMs: DAY,
    description: "Logins by this user in the last 24 hours",
  }),
  streamCount({
    name: "user_distinct_devices_7d",
    entity: "user",
    stream: STREAM.devices,
    windowMs: 7 * DAY,
    description: "Distinct devices this user was seen on in the last 7 days",
  }),
  streamCount({
    name: "user_distinct_ips_7d",
    entity: "user",
    stream: STREAM.ips,
    windowMs: 7 * DAY,
    description: "Distinct IP addresses this user was seen from in the last 7 days",
  }),
  lifetimeCounter({
    name: "user_successful_payments",
    entity: "user",
    field: FIELD.paymentsOk,
    maxAgeMs: LIFETIME_MAX_AGE_MS,
    description: "Successful payments by this user (lifetime)",
  }),
  lifetimeCounter({
    name: "user_chargebacks",
    entity: "user",
    field: FIELD.chargebacks,
    maxAgeMs: LIFETIME_MAX_AGE_MS,
    description: "Chargebacks on this user's bookings (lifetime)",
  }),
  lifetimeCounter({
    name: "user_fraud_labels",
    entity: "user",
    field: FIELD.fraudLabels,
    maxAgeMs: LIFETIME_MAX_AGE_MS,
    description: "Bookings by this user labelled fraud (chargeback or review)",
  }),
  lifetimeCounter({
    name: "user_legit_labels",
    entity: "user",
    field: FIELD.legitLabels,
    maxAgeMs: LIFETIME_MAX_AGE_MS,
    description: "Bookings by this user labelled legitimate by review",
  }),
  timeSince({
    name: "user_days_since_first_seen",
    entity: "user",
    field: FIELD.firstSeen,
    unitMs: DAY,
    cap: 3650,
    whenUnknown: 0,
    maxAgeMs: LIFETIME_MAX_AGE_MS,
    description: "Days since any event of this user was first seen (0 when unknown)",
  }),
  timeSince({
    name: "user_hours_since_password_reset",
    entity: "user",
    field: FIELD.passwordResetAt,
    unitMs: HOUR,
    cap: 720,
    whenUnknown: 720,
    maxAgeMs: HORIZON_MS,
    description: "Hours since this user's last password reset, capped at 720 (also when none)",
  }),
  timeSince({
    name: "user_hours_since_email_change",
    entity: "user",
    field: FIELD.emailChangeAt,
    unitMs: HOUR,
    cap: 720,
    whenUnknown: 720,
    maxAgeMs: HORIZON_MS,
    description: "Hours since this user's last email change, capped at 720 (also when none)",
  }),
  timeSince({
    name: "user_hours_since_device_added",
    entity: "user",
    field: FIELD.deviceAddedAt,
    unitMs: HOUR,
    cap: 720,
    whenUnknown: 720,
    maxAgeMs: HORIZON_MS,
    description: "Hours since a device was last added to this account, capped at 720 (also when none)",
  }),
  entityAndRequest({
    name: "user_amount_vs_mean",
    entity: "user",
    type: "float",
    default: 1,
    maxAgeMs: LIFETIME_MAX_AGE_MS,
    fields: [FIELD.paymentsOk, FIELD.paymentsOkCents],
    inputs: ["booking.amount", "booking.currency"],
    description: "This booking's amount over the user's mean successful payment (1 without history)",
    compute: (field, c) => {
      const n = Number(field(FIELD.paymentsOk) ?? 0);
      if (n <= 0) return undefined;
      const meanCents = Number(field(FIELD.paymentsOkCents) ?? 0) / n;
      return meanCents > 0 ? toEurCents(c.booking.amount, c.booking.currency) / meanCents : undefined;
    },
  }),
  notSeenBefore({
    name: "new_device_for_user",
    entity: "user",
    stream: STREAM.devices,
    windowMs: HORIZON_MS,
    member: "device.id",
    description: "1 when this user was not seen on this device in the last 30 days",
  }),
  notSeenBefore({
    name: "new_ip_for_user",
    entity: "user",
    stream: STREAM.ips,
    windowMs: HORIZON_MS,
    member: "device.ip",
    description: "1 when this user was not seen from this IP in the last 30 days",
  }),
];
