import type { DomainEvent } from "./decode.ts";

/** Topics that carry events into the feature store, by the event types each may hold. */
export const INPUT_TOPICS = {
  payments: ["payment_attempt"],
  accounts: ["signup", "login", "password_reset", "email_change", "device_added"],
  listings: ["listing_created", "listing_updated"],
  labels: ["chargeback", "review_outcome"],
  checkouts: ["checkout"],
} as const satisfies Record<string, readonly DomainEvent["type"][]>;

export type InputTopic = keyof typeof INPUT_TOPICS;
export const INPUT_TOPIC_NAMES = Object.keys(INPUT_TOPICS) as InputTopic[];

export const DEFAULT_TOPIC_PREFIX = "riskgate.";

export interface TopicNames {
  readonly input: Record<InputTopic, string>;
  readonly deadLetter: string;
  readonly decisions: string;
}

export function topicNames(prefix: string = DEFAULT_TOPIC_PREFIX): TopicNames {
  const input = Object.fromEntries(INPUT_TOPIC_NAMES.map((t) => [t, `${prefix}${t}`])) as Record<
    InputTopic,
    string
  >;
  return { input, deadLetter: `${prefix}dead-letter`, decisions: `${prefix}decisions` };
}

export function topicForEventType(type: DomainEvent["type"]): InputTopic {
  for (const topic of INPUT_TOPIC_NAMES) {
    if ((INPUT_TOPICS[topic] as readonly string[]).includes(type)) return topic;
  }
  throw new Error(`no topic carries event type ${type}`);
}
