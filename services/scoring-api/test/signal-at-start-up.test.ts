// An operator's SIGTERM at any moment of the start-up ends the real main.ts with 0: while its
// modules load, while it wires (before /readyz answers 200), and with SCORING_WORKERS=2 in the
// primary while the workers start. Never the default action (killed by the signal) and never
// Node's 13 for a top-level await left unsettled. Real Redis and Kafka.
import { topicNames } from "@riskgate/feature-store/events";
import { ModuleHold } from "@riskgate/test-support/module-hold";
import { freePort, ServiceProcess } from "@riskgate/test-support/service-process";
import {
  createKafka,
  deleteTopics,
  kafkaBrokers,
  redisUrl,
  uniquePrefix,
  uniqueTopic,
} from "@riskgate/test-support/services";
import { afterAll, afterEach, describe, expect, it } from "vitest";

// Every closer on a loaded 2-core box, well short of the 45 s shutdown bound.
const EXIT_WITHIN_MS = 30_000;

const kafka = createKafka("api-signal-start");
const topics: string[] = [];
const holds: ModuleHold[] = [];
const started: ServiceProcess[] = [];
afterEach(async () => {
  // A failed assertion leaves its process behind otherwise.
  await Promise.all(started.splice(0).map((api) => api.stop()));
});
afterAll(async () => {
  for (const h of holds) h.dispose();
  await deleteTopics(kafka, topics);
});

async function startApi(workers: number, hold?: ModuleHold): Promise<ServiceProcess> {
  const topicPrefix = `${uniqueTopic("api-signal-start")}.`;
  const names = topicNames(topicPrefix);
  topics.push(names.decisions, names.input.labels);
  const api = new ServiceProcess(
    "services/scoring-api/src/main.ts",
    {
      PORT: String(await freePort()),
      SCORING_WORKERS: String(workers),
      REDIS_URL: redisUrl(),
      REDIS_KEY_PREFIX: uniquePrefix("api-signal-start"),
      KAFKA_BROKERS: kafkaBrokers().join(","),
      KAFKA_TOPIC_PREFIX: topicPrefix,
      KAFKAJS_NO_PARTITIONER_WARNING: "1",
      RISKGATE_API_KEYS: "score:score-key-0123456789abcdef",
      SHUTDOWN_DRAIN_MS: "0",
      ...hold?.env,
    },
    hold ? { execArgv: hold.execArgv } : {},
  );
  started.push(api);
  return api;
}

const exitOrTimeout = (api: ServiceProcess) =>
  Promise.race([api.exited, new Promise((r) => setTimeout(r, EXIT_WITHIN_MS, "still running"))]);

/** SIGTERM now; expects exit 0. Returns how many processes had logged "scoring-api ready" before it. */
async function sigtermExpectingExit0(api: ServiceProcess): Promise<number> {
  const readyBefore = api.logged("scoring-api ready").length;
  api.signal("SIGTERM");
  expect(await exitOrTimeout(api), api.stdout.join("\n")).toBe(0);
  return readyBefore;
}

/** Holds main.ts before it loads run.ts, sends SIGTERM, then lets the loading go on. */
async function sigtermWhileModulesLoad(workers: number): Promise<ServiceProcess> {
  const hold = new ModuleHold("/scoring-api/src/run.ts");
  holds.push(hold);
  const api = await startApi(workers, hold);
  await hold.reached(api);
  expect(api.running).toBe(true);
  api.signal("SIGTERM");
  // The signal waits in the process while it is held; this gives it time to arrive there.
  await new Promise((r) => setTimeout(r, 200));
  hold.release();
  expect(await exitOrTimeout(api), api.stdout.join("\n")).toBe(0);
  return api;
}

describe("SIGTERM during start-up, one process", () => {
  it("while its modules load: shuts down before it serves, exit 0", async () => {
    const api = await sigtermWhileModulesLoad(1);
    expect(api.logged("shutting down")).toHaveLength(1);
    expect(api.logged("scoring-api ready")).toEqual([]);
  }, 60_000);

  it("while it wires Redis, Kafka and the model (before /readyz is 200): exit 0", async () => {
    const api = await startApi(1);
    await api.waitForLog("scoring-api starting", 60_000);
    expect(await sigtermExpectingExit0(api)).toBe(0);
    expect(api.logged("shutting down")).toHaveLength(1);
  }, 60_000);

  it("once ready: exit 0", async () => {
    const api = await startApi(1);
    await api.waitForLog("scoring-api ready", 60_000);
    await sigtermExpectingExit0(api);
  }, 60_000);
});

describe("SIGTERM during start-up, SCORING_WORKERS=2: the primary exits 0", () => {
  it("while the primary's modules load", async () => {
    const api = await sigtermWhileModulesLoad(2);
    expect(api.logged("scoring-api ready")).toEqual([]);
  }, 60_000);

  it("while the workers load theirs", async () => {
    const api = await startApi(2);
    await api.waitForLog("starting scoring workers", 60_000);
    expect(await sigtermExpectingExit0(api)).toBe(0);
  }, 60_000);

  it("while the first worker wires (before /readyz is 200)", async () => {
    const api = await startApi(2);
    await api.waitForLog("scoring-api starting", 60_000);
    expect(await sigtermExpectingExit0(api)).toBe(0);
  }, 60_000);
});
