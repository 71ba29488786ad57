import type { ErrorCode } from "@riskgate/common/errors";
import { redactCardNumbers } from "@riskgate/feature-store/events";
import type { IHeaders, KafkaMessage, Producer } from "kafkajs";

/**
 * Header names on dead-lettered messages. The value and key are the original bytes, except that
 * card numbers in them (and in the error's text) are replaced by `[redacted card number]`, marked
 * by the `rg-redacted` header: the dead-letter topic must not become a copy of what was refused.
 */
export const DLQ_HEADERS = {
  code: "rg-error-code",
  field: "rg-error-field",
  message: "rg-error-message",
  topic: "rg-source-topic",
  partition: "rg-source-partition",
  offset: "rg-source-offset",
  redacted: "rg-redacted",
} as const;

export interface DeadLetter {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaMessage;
  /** The decoder's refusal; its code, a catalogue code, is the dead-letter reason. */
  readonly error: { readonly code: ErrorCode; readonly field: string; readonly message: string };
}

export async function sendToDeadLetter(producer: Producer, dlqTopic: string, letters: readonly DeadLetter[]) {
  if (letters.length === 0) return;
  await producer.send({
    topic: dlqTopic,
    acks: -1,
    messages: letters.map((l) => {
      const key = redacted(l.message.key);
      const value = redacted(l.message.value);
      const field = redactCardNumbers(l.error.field);
      const message = redactCardNumbers(l.error.message);
      const headers: IHeaders = {
        [DLQ_HEADERS.code]: l.error.code,
        [DLQ_HEADERS.field]: field ?? l.error.field,
        [DLQ_HEADERS.message]: (message ?? l.error.message).slice(0, 500),
        [DLQ_HEADERS.topic]: l.topic,
        [DLQ_HEADERS.partition]: String(l.partition),
        [DLQ_HEADERS.offset]: l.message.offset,
      };
      if (key !== l.message.key || value !== l.message.value || field || message)
        headers[DLQ_HEADERS.redacted] = "card_number";
      return { key, value, headers };
    }),
  });
}

/** The bytes with card numbers redacted, or the same buffer when there are none. */
function redacted(bytes: Buffer | null): Buffer | null {
  if (bytes === null) return null;
  const text = redactCardNumbers(bytes.toString("utf8"));
  return text === undefined ? bytes : Buffer.from(text, "utf8");
}
