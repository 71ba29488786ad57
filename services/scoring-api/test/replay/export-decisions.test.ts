// The decision log from the real API, through Kafka, to the JSONL the training and the missed-fraud
// monitor read (npm run monitor, the Python side run as CI runs it, in the training venv).
import { spawnSync } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { topicNames } from "@riskgate/feature-store/events";
import { scoreOk, startApi } from "@riskgate/test-support/api-harness";
import { checkout } from "@riskgate/test-support/events";
import {
  createKafka,
  createTopics,
  deleteTopics,
  readJsonRecords,
  uniqueGroup,
  uniqueTopic,
} from "@riskgate/test-support/services";
import { afterAll, describe, expect, it } from "vitest";
import { exportDecisions } from "../../src/replay/export-decisions.ts";

const ROOT = resolve(import.meta.dirname, "../../../..");
const PYTHON = resolve(ROOT, "models/training/.venv/bin/python");
const kafka = createKafka("export-decisions");
const topics: string[] = [];
afterAll(() => deleteTopics(kafka, topics));

async function exportTo(file: string, topic: string, since?: Date) {
  const out = createWriteStream(file);
  const groupId = uniqueGroup("export");
  const result = await exportDecisions(kafka, topic, out, { groupId, ...(since ? { since } : {}) });
  out.end();
  await once(out, "finish");
  const lines = readFileSync(file, "utf8").split("\n").filter(Boolean);
  return { result, groupId, records: lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

function champion(): string {
  const pointer = resolve(ROOT, "models/artifacts/champion.json");
  return resolve(ROOT, "models/artifacts", JSON.parse(readFileSync(pointer, "utf8")).dir as string);
}

describe("export-decisions", () => {
  it("copies what the API published, which the missed-fraud monitor joins with the labels", async () => {
    const h = await startApi({ redis: true, kafka: true });
    const topic = topicNames(h.topicPrefix).decisions;
    topics.push(topic);
    const at = Date.now() - 60_000;
    const scored: { event_id: string; score: number; model: { name: string; version: string } }[] = [];
    try {
      for (let i = 0; i < 30; i++) {
        const body = checkout(`co_${i}`, at + i, {
          user: {
            id: `u_${i}`,
            created_at: new Date(at - (i + 1) * 86_400_000).toISOString(),
            email_domain: "example.com",
            email_verified: i % 2 === 0,
          },
          device: {
            id: `d_${i % 7}`,
            ip: `10.0.${i}.1`,
            ip_country: i % 3 ? "PT" : "BR",
            user_agent: "Mozilla/5.0",
          },
          booking: {
            amount: 100 + 90 * i,
            currency: "EUR",
            nights: 1 + (i % 5),
            checkin_at: new Date(at + 3 * 86_400_000).toISOString(),
          },
        });
        scored.push(await scoreOk(h, body));
      }
      await readJsonRecords(kafka, topic, (r) => r.length >= 30);
    } finally {
      await h.close();
    }
    const dir = mkdtempSync(join(tmpdir(), "riskgate-export-"));
    const { result, groupId, records } = await exportTo(join(dir, "decisions.jsonl"), topic);
    expect(result.records).toBe(30);
    const byId = new Map(records.map((r) => [r.event_id, r]));
    for (const s of scored)
      expect(byId.get(s.event_id)).toMatchObject({ kind: "decision", score: s.score, model: s.model });
    // It committed nothing and leaves no group behind.
    const admin = kafka.admin();
    await admin.connect();
    const { groups } = await admin.listGroups();
    await admin.disconnect();
    expect(groups.map((g) => g.groupId)).not.toContain(groupId);

    // 25 of them turn out to be fraud; the monitor tests their served scores against the champion's reference.
    const labels = scored.map((s, i) => ({
      type: i < 25 ? "chargeback" : "review_outcome",
      checkout_event_id: s.event_id,
      label: i < 25 ? "fraud" : "legit",
      occurred_at: new Date(at + 86_400_000).toISOString(),
    }));
    writeFileSync(join(dir, "labels.jsonl"), labels.map((l) => JSON.stringify(l)).join("\n"));
    const run = spawnSync(
      PYTHON,
      [
        "-m",
        "riskgate_training",
        "monitor",
        "--decisions",
        join(dir, "decisions.jsonl"),
        "--labels",
        join(dir, "labels.jsonl"),
        "--model",
        champion(),
        "--as-of",
        new Date(at + 2 * 86_400_000).toISOString(),
        "--json",
        join(dir, "monitor.json"),
        "--report-only",
      ],
      { encoding: "utf8", env: { ...process.env, PYTHONPATH: resolve(ROOT, "models/training") } },
    );
    expect(run.status, run.stderr).toBe(0);
    const monitor = JSON.parse(readFileSync(join(dir, "monitor.json"), "utf8"));
    const frauds = scored.slice(0, 25).map((s) => s.score);
    expect(monitor).toMatchObject({
      model: `${scored[0]?.model.name}/${scored[0]?.model.version}`,
      decisions_scored: 30,
      frauds_labelled: 25,
    });
    expect(monitor.mean_p).toBeCloseTo(frauds.reduce((a, b) => a + b, 0) / frauds.length, 9);
  }, 90_000);

  it("reads from --since to where the topic ended when it started (the command, on the API's variables)", async () => {
    const prefix = `${uniqueTopic("export-since")}.`;
    const topic = topicNames(prefix).decisions;
    topics.push(topic);
    await createTopics(kafka, [topic]);
    const producer = kafka.producer();
    await producer.connect();
    const send = (ids: string[]) =>
      producer.send({
        topic,
        messages: ids.map((id) => ({ value: JSON.stringify({ kind: "decision", event_id: id }) })),
      });
    try {
      await send(["a", "b", "c"]);
      await new Promise((r) => setTimeout(r, 50));
      const since = new Date();
      await new Promise((r) => setTimeout(r, 50));
      await send(["d", "e"]);
      const dir = mkdtempSync(join(tmpdir(), "riskgate-export-"));
      const all = await exportTo(join(dir, "all.jsonl"), topic);
      expect(all.records.map((r) => r.event_id).sort()).toEqual(["a", "b", "c", "d", "e"]);
      const cli = spawnSync(
        process.execPath,
        [
          resolve(ROOT, "services/scoring-api/bin/export-decisions.ts"),
          "--out",
          join(dir, "later.jsonl"),
          "--since",
          since.toISOString(),
        ],
        { encoding: "utf8", env: { ...process.env, KAFKA_TOPIC_PREFIX: prefix } },
      );
      expect(cli.status, cli.stderr).toBe(0);
      const later = readFileSync(join(dir, "later.jsonl"), "utf8").split("\n").filter(Boolean);
      expect(later.map((l) => JSON.parse(l).event_id).sort()).toEqual(["d", "e"]);
      const none = await exportTo(join(dir, "none.jsonl"), topic, new Date(Date.now() + 60_000));
      expect(none.records).toEqual([]);
    } finally {
      await producer.disconnect();
    }
  }, 60_000);
});
