import { features, type RuleCases } from "./helpers.ts";

/** The review rules of default.yaml. */
export const REVIEW_CASES: RuleCases[] = [
  {
    rule: "R-REVIEW-INSTRUMENT-FAILURES-1H",
    action: "review",
    fires: [{ name: "5 failures in 1 h", features: features({ instrument_failed_1h: 5 }) }],
    doesNot: [{ name: "4 failures in 1 h", features: features({ instrument_failed_1h: 4 }) }],
  },
  {
    rule: "R-REVIEW-DEVICE-MANY-ACCOUNTS",
    action: "review",
    fires: [{ name: "4 accounts", features: features({ device_distinct_users_24h: 4 }) }],
    doesNot: [{ name: "2 accounts", features: features({ device_distinct_users_24h: 2 }) }],
  },
  {
    rule: "R-REVIEW-INSTRUMENT-MANY-ACCOUNTS",
    action: "review",
    fires: [{ name: "3 accounts", features: features({ instrument_distinct_users_7d: 3 }) }],
    doesNot: [{ name: "1 account", features: features({ instrument_distinct_users_7d: 1 }) }],
  },
  {
    rule: "R-REVIEW-ACCOUNT-TAKEOVER",
    action: "review",
    fires: [
      {
        name: "password reset 2 h ago, new device, EUR 800",
        features: features({
          user_hours_since_password_reset: 2,
          new_device_for_user: 1,
          booking_amount_eur: 800,
        }),
      },
      {
        name: "password reset 1 h ago, device added 30 min ago (no longer new), EUR 900",
        features: features({
          user_hours_since_password_reset: 1,
          user_hours_since_device_added: 0.5,
          new_device_for_user: 0,
          booking_amount_eur: 900,
        }),
      },
      {
        name: "email change 10 h ago, new device, EUR 500",
        features: features({
          user_hours_since_email_change: 10,
          new_device_for_user: 1,
          booking_amount_eur: 500,
        }),
      },
    ],
    doesNot: [
      {
        name: "known device, added weeks ago",
        features: features({
          user_hours_since_password_reset: 2,
          user_hours_since_device_added: 500,
          new_device_for_user: 0,
          booking_amount_eur: 800,
        }),
      },
      {
        name: "small amount",
        features: features({
          user_hours_since_password_reset: 2,
          new_device_for_user: 1,
          booking_amount_eur: 120,
        }),
      },
      {
        name: "reset 3 days ago",
        features: features({
          user_hours_since_password_reset: 72,
          new_device_for_user: 1,
          booking_amount_eur: 800,
        }),
      },
    ],
  },
  {
    rule: "R-REVIEW-NEW-ACCOUNT-LARGE-BOOKING",
    action: "review",
    fires: [
      {
        name: "account 2 h old, EUR 1,200",
        features: features({ account_age_days: 0.1, booking_amount_eur: 1200 }),
      },
    ],
    doesNot: [
      { name: "account 3 days old", features: features({ account_age_days: 3, booking_amount_eur: 1200 }) },
      { name: "EUR 900", features: features({ account_age_days: 0.1, booking_amount_eur: 900 }) },
    ],
  },
  {
    rule: "R-REVIEW-FOREIGN-NEW-CARD-LARGE-BOOKING",
    action: "review",
    fires: [
      {
        name: "foreign card first seen today, EUR 1,500",
        features: features({
          ip_country_ne_card_country: 1,
          instrument_days_since_first_seen: 0,
          booking_amount_eur: 1500,
        }),
      },
    ],
    doesNot: [
      {
        name: "card known for 40 days",
        features: features({
          ip_country_ne_card_country: 1,
          instrument_days_since_first_seen: 40,
          booking_amount_eur: 1500,
        }),
      },
      {
        name: "card and IP in one country",
        features: features({
          ip_country_ne_card_country: 0,
          instrument_days_since_first_seen: 0,
          booking_amount_eur: 1500,
        }),
      },
    ],
  },
  {
    rule: "R-REVIEW-REPEATED-DECLINES",
    action: "review",
    fires: [{ name: "2 user failures in 1 h", features: features({ user_failed_payments_1h: 2 }) }],
    doesNot: [{ name: "1 user failure in 1 h", features: features({ user_failed_payments_1h: 1 }) }],
  },
  {
    rule: "R-REVIEW-DISPOSABLE-EMAIL",
    action: "review",
    fires: [
      {
        name: "disposable domain, EUR 600",
        features: features({ email_domain_disposable: 1, booking_amount_eur: 600 }),
      },
    ],
    doesNot: [
      { name: "EUR 200", features: features({ email_domain_disposable: 1, booking_amount_eur: 200 }) },
      { name: "regular domain", features: features({ email_domain_disposable: 0, booking_amount_eur: 600 }) },
    ],
  },
  {
    rule: "R-REVIEW-OFF-PLATFORM-CONTACT",
    action: "review",
    fires: [{ name: "contact + link", features: features({ msg_off_platform_contact: 1, msg_has_link: 1 }) }],
    doesNot: [
      { name: "contact only", features: features({ msg_off_platform_contact: 1, msg_has_link: 0 }) },
      { name: "link only", features: features({ msg_off_platform_contact: 0, msg_has_link: 1 }) },
    ],
  },
];
