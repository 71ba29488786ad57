import type { Checkout } from "../events/index.ts";
import { type FeatureSpec, requestFeature } from "./feature-spec.ts";
import { hasLink, hasOffPlatformContact, isDisposableEmailDomain } from "./message-signals.ts";
import { toEur } from "./money.ts";
import { DAY } from "./time.ts";

const mismatch = (a: string | undefined, b: string | undefined) =>
  a === undefined || b === undefined ? undefined : a === b ? 0 : 1;

export const checkoutAmountEur = (c: Checkout) => toEur(c.booking.amount, c.booking.currency);

/** Features computed from the checkout alone, in model order. */
export const REQUEST_FEATURES: readonly FeatureSpec[] = [
  // request-time
  requestFeature({
    name: "booking_amount_eur",
    type: "float",
    default: 0,
    inputs: ["booking.amount", "booking.currency"],
    description: "Booking amount in EUR at static reference rates",
    compute: checkoutAmountEur,
  }),
  requestFeature({
    name: "nights",
    type: "int",
    default: 1,
    inputs: ["booking.nights"],
    description: "Nights booked",
    compute: (c) => c.booking.nights,
  }),
  requestFeature({
    name: "amount_per_night_eur",
    type: "float",
    default: 0,
    inputs: ["booking.amount", "booking.currency", "booking.nights"],
    description: "Booking amount per night in EUR",
    compute: (c) => checkoutAmountEur(c) / c.booking.nights,
  }),
  requestFeature({
    name: "lead_time_days",
    type: "float",
    default: 0,
    inputs: ["booking.checkin_at", "occurred_at"],
    description: "Days from checkout to check-in (negative if check-in is in the past)",
    compute: (c, asOf) => (Date.parse(c.booking.checkin_at) - asOf) / DAY,
  }),
  requestFeature({
    name: "account_age_days",
    growsWithAge: true,
    type: "float",
    default: 0,
    inputs: ["user.created_at", "occurred_at"],
    description: "Days since the account was created, per the checkout",
    compute: (c, asOf) => Math.max(0, (asOf - Date.parse(c.user.created_at)) / DAY),
  }),
  requestFeature({
    name: "email_verified",
    type: "bool",
    default: 0,
    inputs: ["user.email_verified"],
    description: "1 when the account's email is verified",
    compute: (c) => (c.user.email_verified === undefined ? undefined : c.user.email_verified ? 1 : 0),
  }),
  requestFeature({
    name: "email_domain_disposable",
    type: "bool",
    default: 0,
    inputs: ["user.email_domain"],
    description: "1 when the email domain is a known disposable-mail provider",
    compute: (c) => (isDisposableEmailDomain(c.user.email_domain) ? 1 : 0),
  }),
  requestFeature({
    name: "ip_country_ne_card_country",
    type: "bool",
    default: 0,
    inputs: ["device.ip_country", "payment.country"],
    description: "1 when the IP's country differs from the instrument's issuing country",
    compute: (c) => mismatch(c.device.ip_country, c.payment.country),
  }),
  requestFeature({
    name: "ip_country_ne_billing_country",
    type: "bool",
    default: 0,
    inputs: ["device.ip_country", "payment.billing_country"],
    description: "1 when the IP's country differs from the billing country",
    compute: (c) => mismatch(c.device.ip_country, c.payment.billing_country),
  }),
  requestFeature({
    name: "card_country_ne_billing_country",
    type: "bool",
    default: 0,
    inputs: ["payment.country", "payment.billing_country"],
    description: "1 when the instrument's issuing country differs from the billing country",
    compute: (c) => mismatch(c.payment.country, c.payment.billing_country),
  }),
  requestFeature({
    name: "payment_type_wallet",
    type: "bool",
    default: 0,
    inputs: ["payment.type"],
    description: "1 when paid with a wallet",
    compute: (c) => (c.payment.type === "wallet" ? 1 : 0),
  }),
  requestFeature({
    name: "payment_type_bank",
    type: "bool",
    default: 0,
    inputs: ["payment.type"],
    description: "1 when paid by bank transfer or debit",
    compute: (c) => (c.payment.type === "bank" ? 1 : 0),
  }),
  requestFeature({
    name: "msg_off_platform_contact",
    type: "bool",
    default: 0,
    inputs: ["message.text"],
    description: "1 when the message asks to move contact or payment off the platform",
    compute: (c) => (hasOffPlatformContact(c.message.text) ? 1 : 0),
  }),
  requestFeature({
    name: "msg_has_link",
    type: "bool",
    default: 0,
    inputs: ["message.text"],
    description: "1 when the message contains a link",
    compute: (c) => (hasLink(c.message.text) ? 1 : 0),
  }),
  requestFeature({
    name: "msg_length",
    type: "int",
    default: 0,
    inputs: ["message.text"],
    description: "Characters in the guest's message",
    compute: (c) => c.message.text?.length ?? 0,
  }),
  requestFeature({
    name: "hour_of_day_utc",
    type: "int",
    default: 0,
    inputs: ["occurred_at"],
    description: "Hour of the checkout, UTC",
    compute: (_c, asOf) => new Date(asOf).getUTCHours(),
  }),
];
