// The consumer admits events as the API does: an event from the future is dead-lettered with that
// reason and counted, a card number never reaches the dead-letter topic, and what reaches Redis
// carries pseudonyms only; a pseudonym sent on an event topic is hashed again, one on the labels
// topic (review outcomes) is kept.

import { MINUTE } from "@riskgate/feature-store/definitions";
import { readCheckoutFeatures } from "@riskgate/feature-store/online";
import { account, checkout, label, payment, T0 } from "@riskgate/test-support/events";
import { consumedCount, features, IngestHarness, pseudonymiser } from "@riskgate/test-support/ingest-harness";
import { waitFor } from "@riskgate/test-support/services";
import { afterEach, describe, expect, it } from "vitest";
import { DLQ_HEADERS } from "../src/dead-letter.ts";

let harness: IngestHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe("feature-ingest admission", () => {
  it("dead-letters future events and card numbers (redacted), and stores pseudonymised identifiers", async () => {
    const h = new IngestHarness("ingest-admission");
    harness = h;
    await h.createTopics();
    const PAN = "4111 1111 1111 1111";
    const withCard = { ...account("acc-card", T0), unknown_note: `card ${PAN}` };
    await h.produce([
      payment("pay-ok", T0, { user_id: "u_ingest_raw", payment_instrument_id: "pi_ingest_raw" }),
      payment("pay-future", Date.now() + 60 * MINUTE),
      { topic: "accounts", raw: JSON.stringify(withCard) },
      { topic: "payments", raw: `not json, but a card: ${PAN}` },
    ]);
    const { metrics } = await h.startIngest();
    await waitFor(async () => (await consumedCount(metrics)) >= 1, {
      timeoutMs: 60_000,
      what: "the good event",
    });

    const consumer = h.kafka.consumer({ groupId: `${h.groupId}-dlq-reader` });
    const letters: { code: string; field: string; value: string; redacted: string }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: h.topics.deadLetter, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        letters.push({
          code: String(message.headers?.[DLQ_HEADERS.code]),
          field: String(message.headers?.[DLQ_HEADERS.field]),
          value: message.value?.toString("utf8") ?? "",
          redacted: String(message.headers?.[DLQ_HEADERS.redacted] ?? ""),
        });
      },
    });
    await waitFor(async () => letters.length >= 3, { timeoutMs: 30_000, what: "three dead letters" });
    await consumer.disconnect();

    // Topics are consumed in no fixed order between them: compare by reason.
    const byCode = new Map(letters.map((l) => [l.code, l]));
    expect([...byCode.keys()].sort()).toEqual(["event_in_future", "invalid_json", "schema_violation"]);
    expect(byCode.get("event_in_future")?.field).toBe("/occurred_at");
    expect(byCode.get("event_in_future")?.redacted).toBe("");
    // Refused for an unknown field or as no JSON, not for the card number: still redacted.
    for (const code of ["schema_violation", "invalid_json"]) {
      const l = byCode.get(code);
      expect(l?.value).not.toMatch(/4111/);
      expect(l?.value).toContain("[redacted card number]");
      expect(l?.redacted).toBe("card_number");
    }
    expect(JSON.parse(byCode.get("schema_violation")?.value ?? "{}").event_id).toBe("acc-card");
    const future = (await metrics.deadLettered.get()).values.find(
      (v) => v.labels.reason === "event_in_future",
    );
    expect(future?.value).toBe(1);

    // The payment is stored under pseudonyms: its raw ids name no entity, their pseudonyms do.
    const raw = await h.store.read({
      asOf: T0,
      entities: [{ entity: "user", id: "u_ingest_raw", counts: [], distinct: [], members: [] }],
    });
    expect(raw[0]?.fields).toBeNull();
    const hashed = await h.store.read({
      asOf: T0,
      entities: [
        {
          entity: "user",
          id: pseudonymiser.id("user", "u_ingest_raw"),
          counts: [],
          distinct: [],
          members: [],
        },
      ],
    });
    expect(hashed[0]?.fields).not.toBeNull();
  });

  it("hashes a victim's pseudonym sent on an event topic again; the labels topic keeps it", async () => {
    const h = new IngestHarness("ingest-pseudonym-source");
    harness = h;
    await h.createTopics();
    const victim = pseudonymiser.id("user", "u_victim_src");
    const card = pseudonymiser.id("payment_instrument", "pi_victim_src");
    await h.produce([
      account("acc-forged", T0, { type: "login", user_id: victim }),
      label("ro-victim", T0, { type: "review_outcome", user_id: victim, payment_instrument_id: card }),
    ]);
    const { metrics } = await h.startIngest();
    await waitFor(async () => (await consumedCount(metrics)) >= 2, {
      timeoutMs: 60_000,
      what: "both events",
    });

    const featuresOf = async (userId: string) => {
      const c = pseudonymiser.checkout(checkout("probe", T0 + MINUTE));
      const read = await readCheckoutFeatures(h.store, features, { ...c, user: { ...c.user, id: userId } });
      return features.toRecord(read);
    };
    // The label lands on the victim; the forged login does not.
    expect(await featuresOf(victim)).toMatchObject({ user_fraud_labels: 1, user_logins_24h: 0 });
    // The login is filed under the hash of what the client sent: an entity of its own.
    expect(await featuresOf(pseudonymiser.id("user", victim))).toMatchObject({
      user_fraud_labels: 0,
      user_logins_24h: 1,
    });
  });
});
