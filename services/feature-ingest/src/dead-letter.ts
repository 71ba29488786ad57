import type { ErrorCode } from "@riskgate/common/errors";
import type { IHeaders, KafkaMessage, Producer } from "kafkajs";

/** Header names on dead-lettered messages; the value and key are the original bytes, untouched. */
export const DLQ_HEADERS = {
  code: "rg-error-code",
  field: "rg-error-field",
  message: "rg-error-message",
  topic: "rg-source-topic",
  partition: "rg-source-partition",
  offset: "rg-source-offset",
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
      const headers: IHeaders = {
        [DLQ_HEADERS.code]: l.error.code,
        [DLQ_HEADERS.field]: l.error.field,
        [DLQ_HEADERS.message]: l.error.message.slice(0, 500),
        [DLQ_HEADERS.topic]: l.topic,
        [DLQ_HEADERS.partition]: String(l.partition),
        [DLQ_HEADERS.offset]: l.message.offset,
      };
      return { key: l.message.key, value: l.message.value, headers };
    }),
  });
}
