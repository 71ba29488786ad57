// infra/k8s against the real services' main.ts, started with the manifests' environment: the grace
// periods cover the shutdown bound each process reports (and not by much), and feature-ingest's probes
// answer on the real process. The static checks of the same files: k8s-manifests.test.ts.
import { loadIngestConfig } from "@riskgate/feature-ingest/config";
import { topicNames } from "@riskgate/feature-store/events";
import { loadApiConfig } from "@riskgate/scoring-api/config";
import { freePort, ServiceProcess } from "@riskgate/test-support/service-process";
import {
  createKafka,
  deleteTopics,
  kafkaBrokers,
  redisUrl,
  uniqueGroup,
  uniquePrefix,
  uniqueTopic,
  waitFor,
} from "@riskgate/test-support/services";
import { afterEach, describe, expect, it } from "vitest";
import {
  type Container,
  containerOf,
  dummySecret,
  environmentOf,
  find,
  podTemplate,
  probePort,
  readResources,
} from "./k8s-files.ts";

/** The most a grace period may exceed the shutdown bound (signal delivery and exit need a few seconds). */
const GRACE_SLACK_MS = 15_000;

const resources = readResources();
const envOf = (c: Container) => environmentOf(resources, c, dummySecret);
const grace = (deployment: string) => podTemplate(resources, deployment).spec.terminationGracePeriodSeconds;

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

describe("infra/k8s with the real services", () => {
  it("scoring-api: the grace period covers the shutdown bound main.ts reports with this environment", async () => {
    const env = envOf(containerOf(resources, "scoring-api"));
    const port = await freePort();
    const prefix = `${uniqueTopic("k8s-api")}.`;
    const topics = topicNames(prefix);
    cleanup.push(() => deleteTopics(createKafka("k8s-api"), [topics.decisions, topics.input.labels]));
    // Only where it listens and which Redis, Kafka and names it uses differ from the manifest.
    const api = new ServiceProcess("services/scoring-api/src/main.ts", {
      ...env,
      HOST: "127.0.0.1",
      PORT: String(port),
      REDIS_URL: redisUrl(),
      KAFKA_BROKERS: kafkaBrokers().join(","),
      REDIS_KEY_PREFIX: uniquePrefix("k8s-api"),
      KAFKA_TOPIC_PREFIX: prefix,
    });
    // Two signals: the second ends the drain at once (also when an expectation below failed).
    const stop = async () => {
      if (api.running) for (let i = 0; i < 2; i++) api.signal("SIGTERM");
      return api.exited;
    };
    cleanup.push(stop);
    const ready = await api.waitForLog("scoring-api ready");
    const within = ready.shutdownWithinMs as number;
    const config = loadApiConfig(env);
    expect(within).toBeGreaterThan(config.shutdownDrainMs + config.shutdownInFlightMs);
    expect(grace("scoring-api") * 1000).toBeGreaterThanOrEqual(within + 5_000);
    // And not far above it: a pod that hangs past its bound only holds up rollouts and node drains.
    expect(grace("scoring-api") * 1000).toBeLessThanOrEqual(within + GRACE_SLACK_MS);
    // SIGTERM: the real process leaves the balancer at once and keeps serving while it drains.
    api.signal("SIGTERM");
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 503, {
      timeoutMs: 5_000,
      what: "/readyz 503 after SIGTERM",
    });
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  }, 60_000);

  it("feature-ingest: probes on the real process, replicas within the partitions, grace over its shutdown bound", async () => {
    const c = containerOf(resources, "feature-ingest");
    const env = envOf(c);
    const config = loadIngestConfig(env);
    const replicas = (find(resources, "Deployment", "feature-ingest").spec as { replicas: number }).replicas;
    expect(replicas).toBeLessThanOrEqual(config.kafkaTopicPartitions);
    expect(c.ports.map((p) => p.containerPort)).toEqual([config.metricsPort]);
    expect(c.args?.at(-1)).toBe("services/feature-ingest/src/main.ts");

    const port = await freePort();
    const prefix = `${uniqueTopic("k8s-ingest")}.`;
    const topics = topicNames(prefix);
    cleanup.push(() =>
      deleteTopics(createKafka("k8s-ingest"), [...Object.values(topics.input), topics.deadLetter]),
    );
    const ingest = new ServiceProcess("services/feature-ingest/src/main.ts", {
      ...env,
      INGEST_METRICS_HOST: "127.0.0.1",
      INGEST_METRICS_PORT: String(port),
      REDIS_URL: redisUrl(),
      KAFKA_BROKERS: kafkaBrokers().join(","),
      REDIS_KEY_PREFIX: uniquePrefix("k8s-ingest"),
      KAFKA_TOPIC_PREFIX: prefix,
      INGEST_GROUP_ID: uniqueGroup("k8s-ingest"),
    });
    cleanup.push(() => ingest.stop());
    const bound = await ingest.waitForLog("shutdown takes at most shutdownWithinMs");
    expect(grace("feature-ingest") * 1000).toBeGreaterThanOrEqual((bound.shutdownWithinMs as number) + 5_000);
    expect(grace("feature-ingest") * 1000).toBeLessThanOrEqual(
      (bound.shutdownWithinMs as number) + GRACE_SLACK_MS,
    );

    const url = (probe: Container["readinessProbe"]) => `http://127.0.0.1:${port}${probe?.httpGet.path}`;
    expect(c.readinessProbe && probePort(c, c.readinessProbe)).toBe(config.metricsPort);
    expect(c.livenessProbe && probePort(c, c.livenessProbe)).toBe(config.metricsPort);
    await waitFor(async () => (await fetch(url(c.livenessProbe))).status === 200, {
      timeoutMs: 5_000,
      what: "liveness",
    });
    await waitFor(async () => (await fetch(url(c.readinessProbe))).status === 200, {
      timeoutMs: 40_000,
      what: "readiness once it consumes",
    });
    expect(await ingest.stop()).toBe(0);
  }, 60_000);
});
