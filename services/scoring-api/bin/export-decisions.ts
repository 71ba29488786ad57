// The decision log's export: the decisions topic, as it stands now, to a JSONL file, for training's
// propensity reweighting (npm run train -- --decisions) and the missed-fraud monitor (npm run
// monitor). Reads KAFKA_BROKERS, KAFKA_TOPIC_PREFIX and the Kafka security variables as the API
// does (.env.example). Usage: --help.
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { kafkaSecurityOptions } from "@riskgate/common/kafka-config";
import { guardKafkajsIdleTimers } from "@riskgate/common/kafkajs-idle-timer";
import { topicNames } from "@riskgate/feature-store/events";
import { Kafka, logLevel } from "kafkajs";
import { loadApiConfig } from "../src/config.ts";
import { exportDecisions, topicExists } from "../src/replay/export-decisions.ts";

const USAGE = `usage: npm run export-decisions -w @riskgate/scoring-api -- --out decisions.jsonl [--since ISO]
  --out    where the records go, one JSON object per line (- for stdout)
  --since  only records published at or after this time (default: all the topic holds)
The topic is <KAFKA_TOPIC_PREFIX>decisions on KAFKA_BROKERS; records the API publishes while the
export runs are left for the next one.`;

/** \`npm run -w\` runs in the package folder; paths on the command line are the caller's. */
const path = (p: string) => resolve(process.env.INIT_CWD ?? process.cwd(), p);

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { out: { type: "string" }, since: { type: "string" }, help: { type: "boolean", short: "h" } },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const since = values.since === undefined ? undefined : new Date(values.since);
  if (!values.out || (since && Number.isNaN(since.getTime()))) {
    process.stderr.write(`${!values.out ? "--out is required" : "--since is not an ISO time"}\n${USAGE}\n`);
    return 2;
  }
  const config = loadApiConfig(process.env);
  if (config.kafkaBrokers.length === 0) {
    process.stderr.write("KAFKA_BROKERS is not set: there is no decision log to export\n");
    return 2;
  }
  guardKafkajsIdleTimers();
  const kafka = new Kafka({
    clientId: "riskgate-export-decisions",
    brokers: config.kafkaBrokers,
    logLevel: logLevel.WARN,
    ...kafkaSecurityOptions(config),
  });
  const topic = topicNames(config.topicPrefix).decisions;
  if (!(await topicExists(kafka, topic))) {
    process.stderr.write(
      `${topic} does not exist on ${config.kafkaBrokers.join(",")}: no decision published yet, or another KAFKA_TOPIC_PREFIX\n`,
    );
    return 2;
  }
  const out = values.out === "-" ? process.stdout : createWriteStream(path(values.out));
  const result = await exportDecisions(kafka, topic, out, {
    ...(since ? { since } : {}),
    groupId: `riskgate-export-decisions-${randomUUID()}`,
  });
  if (out !== process.stdout) {
    out.end();
    await once(out, "finish");
  }
  process.stderr.write(`${JSON.stringify({ topic, ...result })}\n`);
  return 0;
}

process.exitCode = await main();
