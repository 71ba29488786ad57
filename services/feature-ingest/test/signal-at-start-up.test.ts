// An operator's (or Kubernetes') SIGTERM at any moment of feature-ingest's start-up ends the real
// main.ts with 0, promptly and saying so: while its modules load, while it wires, and while it waits
// for a broker that is not there. Never the default action (killed by the signal), which a rolling
// update counts as a failure. Once it consumes, a SIGTERM leaves the group: hand-over.test.ts.
// Real Redis and Kafka.
import { topicNames } from "@riskgate/feature-store/events";
import { ModuleHold } from "@riskgate/test-support/module-hold";
import { ServiceProcess, TcpGate } from "@riskgate/test-support/service-process";
import {
  createKafka,
  deleteTopics,
  kafkaBrokers,
  redisUrl,
  uniqueGroup,
  uniquePrefix,
  uniqueTopic,
} from "@riskgate/test-support/services";
import { afterEach, describe, expect, it } from "vitest";

// Nothing to flush and no broker to wait for: well short of the 20 s shutdown bound, on a loaded box.
const EXIT_WITHIN_MS = 10_000;

const kafka = createKafka("ingest-signal-start");
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

function startIngest(name: string, brokers: string, hold?: ModuleHold): ServiceProcess {
  const prefix = `${uniqueTopic(name)}.`;
  const topics = topicNames(prefix);
  const service = new ServiceProcess(
    "services/feature-ingest/src/main.ts",
    {
      REDIS_URL: redisUrl(),
      REDIS_KEY_PREFIX: uniquePrefix(name),
      KAFKA_BROKERS: brokers,
      KAFKA_TOPIC_PREFIX: prefix,
      INGEST_GROUP_ID: uniqueGroup(name),
      INGEST_METRICS_PORT: "0",
      ...hold?.env,
    },
    hold ? { execArgv: hold.execArgv } : {},
  );
  cleanup.push(() => deleteTopics(kafka, [...Object.values(topics.input), topics.deadLetter]));
  // A failed assertion leaves its process behind otherwise.
  cleanup.push(() => service.stop());
  return service;
}

/** Expects `service`, signalled now or just before, to exit 0 within EXIT_WITHIN_MS having closed all. */
async function expectCleanExit(service: ServiceProcess): Promise<void> {
  const exit = await Promise.race([
    service.exited,
    new Promise((r) => setTimeout(r, EXIT_WITHIN_MS, "still running")),
  ]);
  expect(exit, service.stdout.join("\n")).toBe(0);
  expect(service.logged("shutting down")).toHaveLength(1);
  expect(service.logged("failed to close")).toEqual([]);
  expect(service.logged("closed").map((l) => l.resource)).toContain("kafka consumer");
  expect(service.logged("consuming")).toEqual([]);
}

describe("feature-ingest: SIGTERM during start-up exits 0", () => {
  it("while its modules load", async () => {
    // A module only the composition root imports: main.ts has started, the service has not.
    const hold = new ModuleHold("/feature-ingest/src/consumer.ts");
    cleanup.push(async () => hold.dispose());
    const service = startIngest("signal-loading", kafkaBrokers().join(","), hold);
    await hold.reached(service);
    expect(service.running).toBe(true);
    service.signal("SIGTERM");
    // The signal waits in the process while it is held; this gives it time to arrive there.
    await new Promise((r) => setTimeout(r, 200));
    hold.release();
    await expectCleanExit(service);
  }, 30_000);

  it("while it wires (before its metrics server listens)", async () => {
    const service = startIngest("signal-wiring", kafkaBrokers().join(","));
    await service.waitForLog("feature-ingest starting");
    service.signal("SIGTERM");
    await expectCleanExit(service);
  }, 30_000);

  it("while it waits for a broker that is not there", async () => {
    const gate = await TcpGate.reserve(kafkaBrokers()[0] as string);
    cleanup.push(() => gate.close());
    const service = startIngest("signal-no-broker", gate.address);
    await service.waitForLog(/^waiting for Kafka/);
    service.signal("SIGTERM");
    await expectCleanExit(service);
  }, 30_000);
});
