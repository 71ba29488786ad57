import { checkout, features, type RuleCases } from "./helpers.ts";

/** The allow and block rules of default.yaml (lists as default-rules.test.ts fills them). */
export const BLOCK_AND_ALLOW_CASES: RuleCases[] = [
  {
    rule: "R-ALLOW-TRUSTED-USER",
    action: "allow",
    fires: [
      { name: "trusted user", checkout: checkout({ user: { id: "u_trusted" } }) },
      {
        name: "trusted user beats card testing",
        checkout: checkout({ user: { id: "u_trusted" } }),
        features: features({ instrument_failed_10m: 5 }),
      },
    ],
    doesNot: [
      { name: "other user", checkout: checkout({ user: { id: "u_other" } }) },
      {
        name: "trusted user from a sanctioned IP country",
        checkout: checkout({ user: { id: "u_trusted" }, device: { ip_country: "IR" } }),
      },
    ],
  },
  {
    rule: "R-BLOCK-SANCTIONED-COUNTRY",
    action: "block",
    fires: [
      { name: "ip country", checkout: checkout({ device: { ip_country: "KP" } }) },
      { name: "billing country", checkout: checkout({ payment: { billing_country: "SY" } }) },
      { name: "card country", checkout: checkout({ payment: { country: "CU" } }) },
      {
        name: "trusted user is no bypass",
        checkout: checkout({ user: { id: "u_trusted" }, device: { ip_country: "IR" } }),
      },
    ],
    doesNot: [
      { name: "non-sanctioned countries", checkout: checkout() },
      {
        name: "countries absent",
        checkout: checkout({
          device: { ip_country: undefined },
          payment: { country: undefined, billing_country: undefined },
        }),
      },
    ],
  },
  {
    rule: "R-BLOCK-LIST-INSTRUMENT",
    action: "block",
    fires: [{ name: "listed", checkout: checkout({ payment: { instrument_id: "pi_bad" } }) }],
    doesNot: [{ name: "not listed", checkout: checkout() }],
  },
  {
    rule: "R-BLOCK-LIST-DEVICE",
    action: "block",
    fires: [{ name: "listed", checkout: checkout({ device: { id: "d_bad" } }) }],
    doesNot: [{ name: "not listed", checkout: checkout() }],
  },
  {
    rule: "R-BLOCK-LIST-IP",
    action: "block",
    fires: [{ name: "listed", checkout: checkout({ device: { ip: "203.0.113.9" } }) }],
    doesNot: [{ name: "not listed", checkout: checkout({ device: { ip: "203.0.113.10" } }) }],
  },
  {
    rule: "R-BLOCK-LIST-BIN",
    action: "block",
    fires: [
      { name: "6-digit BIN listed", checkout: checkout({ payment: { bin: "666666" } }) },
      { name: "8-digit BIN, prefix listed", checkout: checkout({ payment: { bin: "66666612" } }) },
    ],
    doesNot: [
      { name: "other BIN", checkout: checkout({ payment: { bin: "424242" } }) },
      { name: "no BIN", checkout: checkout({ payment: { bin: undefined } }) },
    ],
  },
  {
    rule: "R-BLOCK-LIST-EMAIL-DOMAIN",
    action: "block",
    fires: [
      { name: "listed", checkout: checkout({ user: { email_domain: "fraud.example" } }) },
      { name: "listed, upper case", checkout: checkout({ user: { email_domain: "FRAUD.Example" } }) },
    ],
    doesNot: [
      { name: "other domain", checkout: checkout() },
      { name: "no domain", checkout: checkout({ user: { email_domain: undefined } }) },
    ],
  },
  {
    rule: "R-BLOCK-LIST-COUNTRY",
    action: "block",
    fires: [{ name: "ip country listed", checkout: checkout({ device: { ip_country: "ZZ" } }) }],
    doesNot: [{ name: "not listed", checkout: checkout() }],
  },
  {
    rule: "R-BLOCK-FRAUD-HISTORY",
    action: "block",
    fires: [
      { name: "user fraud label", features: features({ user_fraud_labels: 1 }) },
      { name: "instrument chargeback", features: features({ instrument_chargebacks: 2 }) },
    ],
    doesNot: [{ name: "clean history", features: features({ user_legit_labels: 3 }) }],
  },
  {
    rule: "R-BLOCK-CARD-TESTING",
    action: "block",
    fires: [{ name: "3 failures in 10 min", features: features({ instrument_failed_10m: 3 }) }],
    doesNot: [{ name: "2 failures in 10 min", features: features({ instrument_failed_10m: 2 }) }],
  },
  {
    rule: "R-BLOCK-CARD-TESTING-STRICT",
    action: "block",
    shadow: true,
    fires: [
      { name: "2 failures in 10 min", features: features({ instrument_failed_10m: 2 }) },
      { name: "4 user failures in 1 h", features: features({ user_failed_payments_1h: 4 }) },
    ],
    doesNot: [
      { name: "1 failure", features: features({ instrument_failed_10m: 1, user_failed_payments_1h: 1 }) },
    ],
  },
  {
    rule: "R-BLOCK-INSTRUMENT-MANY-ACCOUNTS",
    action: "block",
    fires: [
      { name: "10 accounts in 24 h", features: features({ instrument_distinct_users_24h: 10 }) },
      { name: "a burst of 400", features: features({ instrument_distinct_users_24h: 400 }) },
    ],
    doesNot: [
      { name: "9 accounts in 24 h", features: features({ instrument_distinct_users_24h: 9 }) },
      {
        name: "many over the week, few today (the review rule's case)",
        features: features({ instrument_distinct_users_7d: 30, instrument_distinct_users_24h: 2 }),
      },
    ],
  },
  {
    rule: "R-BLOCK-DEVICE-MANY-ACCOUNTS",
    action: "block",
    fires: [
      { name: "10 accounts in 24 h", features: features({ device_distinct_users_24h: 10 }) },
      { name: "a farm of 300", features: features({ device_distinct_users_24h: 300 }) },
    ],
    doesNot: [
      { name: "9 accounts in 24 h", features: features({ device_distinct_users_24h: 9 }) },
      {
        name: "many over the week, few today",
        features: features({ device_distinct_users_7d: 40, device_distinct_users_24h: 3 }),
      },
    ],
  },
];
