export type { AccountEvent } from "./accounts.ts";
export { ACCOUNT_EVENT_TYPES } from "./accounts.ts";
export {
  CARD_NUMBER_REDACTED,
  containsCardNumber,
  findCardNumberField,
  redactCardNumbers,
} from "./card-number.ts";
export { Checkout, CheckoutMessage } from "./checkout.ts";
export { CURRENCY_CODES, Currency, EUR_PER_UNIT, EUR_RATES_AS_OF } from "./currency.ts";
export {
  AnyEvent,
  type DecodeErrorCode,
  type DomainEvent,
  decodeCheckout,
  decodeEvent,
  decodeEventBytes,
  decoderFor,
  describeValueError,
  EventDecodeError,
  type EventType,
  eventTimeMs,
  validateAgainst,
} from "./decode.ts";
export { canonicalIp } from "./ip.ts";
export { LabelEvent } from "./labels.ts";
export { ListingEvent } from "./listings.ts";
export { PaymentAttempt } from "./payments.ts";
export {
  DEV_ID_HASH_KEY,
  DEV_ID_HASH_KEY_ID,
  type EventSource,
  eventSourceOf,
  type IdKind,
  KEY_ID,
  MIN_KEY_LENGTH,
  PSEUDONYM,
  Pseudonymiser,
  pseudonymiserFor,
} from "./pseudonymise.ts";
export {
  DEFAULT_TOPIC_PREFIX,
  INPUT_TOPIC_NAMES,
  INPUT_TOPICS,
  type InputTopic,
  type TopicNames,
  topicForEventType,
  topicNames,
} from "./topics.ts";
