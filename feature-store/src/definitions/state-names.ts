/**
 * Names of the stored state, shared by `update` (which writes them) and the feature
 * definitions (which read them). Renaming one is a key-format change: bump KEY_FORMAT_VERSION.
 */
export const FIELD = {
  firstSeen: "first_seen",
  signupAt: "signup_at",
  createdAt: "created_at",
  paymentsOk: "pay_ok_n",
  paymentsOkCents: "pay_ok_cents",
  checkouts: "checkouts_n",
  chargebacks: "chargebacks_n",
  fraudLabels: "fraud_n",
  legitLabels: "legit_n",
  passwordResetAt: "pw_reset_at",
  emailChangeAt: "email_change_at",
  deviceAddedAt: "device_added_at",
  pricePerNight: "price_per_night",
  listingsCreated: "listings_n",
} as const;

/** Event counts kept in time-bucket rings, read over windows. */
export const COUNTED = {
  checkouts: "checkouts",
  paymentFailures: "pay_fail",
  paymentAttempts: "pay_attempts",
  logins: "logins",
  updates: "updates",
} as const;

/** Sets of members (newest time each), read as distinct counts over windows and as membership. */
export const SET = {
  devices: "devices",
  ips: "ips",
  users: "users",
  guests: "guests",
} as const;

export const KEY_FORMAT_VERSION = "v2";
