import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { account, checkoutMessage, label, listing, payment, T0 } from "@riskgate/test-support/events";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { backfill, ID_COLUMNS, META_FILE, TABLE_FILE } from "../../src/backfill/backfill.ts";
import { FeatureSet } from "../../src/definitions/feature-set.ts";
import { FEATURES } from "../../src/definitions/features.ts";
import { DAY, MINUTE } from "../../src/definitions/time.ts";
import { type DomainEvent, pseudonymiserFor, topicForEventType } from "../../src/events/index.ts";

const features = new FeatureSet(FEATURES);
const pseudonymiser = pseudonymiserFor({}).pseudonymiser;
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function writeLog(events: readonly DomainEvent[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "rg-log-"));
  dirs.push(dir);
  const byTopic = new Map<string, DomainEvent[]>();
  for (const e of events) {
    const t = topicForEventType(e.type);
    byTopic.set(t, [...(byTopic.get(t) ?? []), e]);
  }
  for (const [topic, list] of byTopic) {
    list.sort((a, b) => Date.parse(a.occurred_at) - Date.parse(b.occurred_at));
    await writeFile(join(dir, `${topic}.jsonl`), `${list.map((e) => JSON.stringify(e)).join("\n")}\n`);
  }
  return dir;
}

async function run(events: readonly DomainEvent[], labelCutoff?: number) {
  const inDir = await writeLog(events);
  const outDir = join(inDir, "table");
  const result = await backfill({
    inDir,
    outDir,
    features,
    pseudonymiser,
    ...(labelCutoff === undefined ? {} : { labelCutoff }),
  });
  const [header, ...lines] = (await readFile(join(outDir, TABLE_FILE), "utf8")).trim().split("\n");
  const columns = (header as string).split(",");
  const rows = lines.map((l) => Object.fromEntries(l.split(",").map((v, i) => [columns[i], v])));
  const meta = JSON.parse(await readFile(join(outDir, META_FILE), "utf8"));
  return { result, rows, meta, columns };
}

const history: DomainEvent[] = [
  payment("p1", T0 - 5 * MINUTE, { status: "failed" }),
  payment("p2", T0 - 3 * MINUTE, { status: "failed" }),
  account("a1", T0 - 2 * DAY, { type: "signup" }),
];

describe("backfill", () => {
  it("writes one row per checkout with the features as they were at that checkout", async () => {
    const { rows, meta, columns, result } = await run([
      ...history,
      checkoutMessage("c1", T0),
      payment("p3", T0 + MINUTE, { status: "failed" }),
      checkoutMessage("c2", T0 + 2 * MINUTE),
    ]);
    expect(result.rows).toBe(2);
    expect(columns.slice(ID_COLUMNS.length)).toEqual(features.names);
    expect(meta.feature_set).toBe(features.version);
    expect(meta.features).toEqual(features.names);
    const [c1, c2] = rows;
    expect(c1?.event_id).toBe("c1");
    // The table holds the pseudonym the API and the consumer use, never the raw user id.
    expect(c1?.user_id).toBe(pseudonymiser.id("user", checkoutMessage("c1", T0).user.id));
    expect(c1?.user_id).toMatch(/^dev~[A-Za-z0-9_-]{43}$/);
    expect(Number(c1?.instrument_failed_10m)).toBe(2);
    expect(Number(c1?.user_checkouts_1h)).toBe(0);
    expect(Number(c2?.instrument_failed_10m)).toBe(3);
    expect(Number(c2?.user_checkouts_1h)).toBe(1);
  });

  it("keeps the pseudonyms of the labels file only: a pseudonym in another topic's file is hashed again", async () => {
    const c1 = checkoutMessage("c1", T0);
    const user = pseudonymiser.id("user", c1.user.id);
    const card = pseudonymiser.id("payment_instrument", c1.payment.instrument_id);
    const { rows } = await run([
      // A review outcome as the API publishes it: the case's pseudonyms.
      label("ro1", T0 - 2 * MINUTE, {
        type: "review_outcome",
        checkout_event_id: "c0",
        user_id: user,
        payment_instrument_id: card,
      }),
      // A login naming the same pseudonym from the accounts file: another entity's.
      account("a1", T0 - MINUTE, { type: "login", user_id: user }),
      c1,
    ]);
    expect(Number(rows[0]?.user_fraud_labels)).toBe(1);
    expect(Number(rows[0]?.instrument_fraud_labels)).toBe(1);
    expect(Number(rows[0]?.user_logins_24h)).toBe(0);
  });

  it("records which input topics feed each feature, its default, whether it grows with age and its evasion group, in meta.json", async () => {
    const { meta } = await run([
      ...history,
      account("a2", T0 - DAY, { type: "login" }),
      account("a3", T0 - DAY, { type: "password_reset" }),
      listing("l1", T0 - 3 * DAY, { type: "listing_created" }),
      checkoutMessage("c1", T0),
      label("x1", T0 + DAY, { checkout_event_id: "c1" }),
    ]);
    const src = meta.feature_sources;
    expect(Object.keys(src)).toEqual(features.names);
    expect(src.ip_logins_1h).toEqual({
      entity: "ip",
      default: 0,
      topics: ["accounts"],
      grows_with_age: false,
      evadable: "network",
    });
    expect(src.user_hours_since_password_reset).toMatchObject({ default: 720, topics: ["accounts"] });
    expect(src.instrument_failed_10m.topics).toEqual(["payments"]);
    expect(src.listing_age_days).toMatchObject({ topics: ["listings"], grows_with_age: true });
    expect(src.user_successful_payments.grows_with_age).toBe(true);
    expect(src.user_chargebacks.topics).toEqual(["labels"]);
    expect(src.user_distinct_ips_7d.topics).toEqual(["accounts", "checkouts"]);
    expect(src.booking_amount_eur).toEqual({
      entity: "request",
      default: 0,
      topics: [],
      grows_with_age: false,
      evadable: null,
    });
    expect(src.user_hours_since_password_reset.evadable).toBe("account_changes");
    expect(src.device_days_since_first_seen.evadable).toBe("device");
    expect(meta).not.toHaveProperty("defaults");
  });

  it("labels a checkout fraud only when its label was known by the cut-off", async () => {
    const events = [
      ...history,
      checkoutMessage("c1", T0),
      label("cb", T0 + 20 * DAY, { checkout_event_id: "c1" }),
    ];
    expect((await run(events)).rows[0]?.label).toBe("1");
    expect((await run(events, T0 + 10 * DAY)).rows[0]?.label).toBe("0");
    expect((await run(events, T0 + 20 * DAY)).rows[0]?.label).toBe("1");
  });

  it("records when each checkout's first fraud label became known, and nothing past the cut-off", async () => {
    const events = [
      ...history,
      checkoutMessage("c1", T0),
      checkoutMessage("c2", T0 + MINUTE),
      label("review", T0 + 3 * DAY, { checkout_event_id: "c1", type: "review_outcome", label: "legit" }),
      label("cb-late", T0 + 30 * DAY, { checkout_event_id: "c1" }),
      label("cb-early", T0 + 12 * DAY, { checkout_event_id: "c1" }),
    ];
    const { rows } = await run(events);
    expect(rows[0]?.label_known_at).toBe(new Date(T0 + 12 * DAY).toISOString());
    expect(rows[1]?.label_known_at).toBe("");
    const early = await run(events, T0 + 5 * DAY);
    expect(early.rows[0]?.label_known_at).toBe("");
    expect(early.rows[0]?.label).toBe("0");
  });

  it("never changes a row for events or labels after its checkout", async () => {
    const base = [...history, checkoutMessage("c1", T0)];
    const reference = (await run(base)).rows[0];
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            after: fc.integer({ min: 1, max: 40 * 24 * 60 }),
            kind: fc.constantFrom("fail", "ok", "login", "label", "checkout"),
          }),
          { maxLength: 12 },
        ),
        async (later) => {
          const extra = later.map(({ after, kind }, i): DomainEvent => {
            const at = T0 + after * MINUTE;
            if (kind === "fail") return payment(`x${i}`, at, { status: "failed" });
            if (kind === "ok") return payment(`x${i}`, at);
            if (kind === "login") return account(`x${i}`, at);
            if (kind === "label") return label(`x${i}`, at, { checkout_event_id: "other" });
            return checkoutMessage(`x${i}`, at);
          });
          const row = (await run([...base, ...extra])).rows.find((r) => r.event_id === "c1");
          expect(row).toEqual(reference);
        },
      ),
      { numRuns: 30 },
    );
  });

  it("skips and counts lines that break the event contracts", async () => {
    const inDir = await writeLog([checkoutMessage("c1", T0)]);
    await writeFile(join(inDir, "payments.jsonl"), '{"type":"payment_attempt"}\nnot json\n');
    const result = await backfill({ inDir, outDir: join(inDir, "t"), features, pseudonymiser });
    expect(result.rows).toBe(1);
    expect(result.invalid).toEqual({ schema_violation: 1, invalid_json: 1 });
  });
});
