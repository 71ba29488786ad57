export type { AccountEvent } from "./accounts.ts";
export { ACCOUNT_EVENT_TYPES } from "./accounts.ts";
export { containsCardNumber, findCardNumberField } from "./card-number.ts";
export { Checkout, CheckoutMessage } from "./checkout.ts";
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
export { LabelEvent } from "./labels.ts";
export { ListingEvent } from "./listings.ts";
export { PaymentAttempt } from "./payments.ts";
export {
  DEFAULT_TOPIC_PREFIX,
  INPUT_TOPIC_NAMES,
  INPUT_TOPICS,
  type InputTopic,
  type TopicNames,
  topicForEventType,
  topicNames,
} from "./topics.ts";
