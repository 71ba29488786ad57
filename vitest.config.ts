import { configDefaults, defineConfig } from "vitest/config";

const ALL = [
  "{feature-store,services/*,models/simulator,load-tests,test}/test/**/*.test.ts",
  "test/**/*.test.ts",
];

/**
 * Test files that use Redis, Kafka, a listening server, a child process or Python: the
 * `integration` project. Everything else is `unit` and runs with no service at all
 * (`npm run test:unit`). A file goes here by what it really uses; the unit project unsets
 * REDIS_URL and KAFKA_BROKERS, so a misfiled test fails there naming the variable.
 */
const INTEGRATION = [
  "feature-store/test/bench/store-levels.test.ts",
  "feature-store/test/online/bounded-state.test.ts",
  "feature-store/test/online/conformance.test.ts",
  "feature-store/test/online/read-then-apply.test.ts",
  "feature-store/test/online/hyperloglog.test.ts",
  "feature-store/test/online/redis-store.test.ts",
  "feature-store/test/online/late-labels.test.ts",
  "load-tests/test/runner.test.ts",
  "load-tests/test/bench/stack.test.ts",
  "load-tests/test/scenarios/switches.test.ts",
  "services/common/test/shutdown.test.ts",
  "services/common/test/kafka-topics.test.ts",
  "services/common/test/kafka-idempotent-producer.test.ts",
  "services/common/test/kafkajs-idle-timer.test.ts",
  "services/feature-ingest/test/**/*.test.ts",
  "services/scoring-api/test/kafka-producers.test.ts",
  "services/scoring-api/test/kafka-start-up.test.ts",
  "services/scoring-api/test/bad-input.test.ts",
  "services/scoring-api/test/bench/api-levels.test.ts",
  "services/scoring-api/test/bench/cpu-per-checkout.test.ts",
  "services/scoring-api/test/bench/script-cost.test.ts",
  "services/scoring-api/test/console/console.test.ts",
  "services/scoring-api/test/cluster/workers.test.ts",
  "services/scoring-api/test/cluster/workers-drain.test.ts",
  "services/scoring-api/test/drain.test.ts",
  "services/scoring-api/test/drift-metrics.test.ts",
  "services/scoring-api/test/end-to-end.test.ts",
  "services/scoring-api/test/expected-loss.test.ts",
  "services/scoring-api/test/features-route.test.ts",
  "services/scoring-api/test/killswitch/data-loss.test.ts",
  "services/scoring-api/test/input-guards.test.ts",
  "services/scoring-api/test/killswitch/model-versions.test.ts",
  "services/scoring-api/test/killswitch/propagation.test.ts",
  "services/scoring-api/test/killswitch/propagation-redis.test.ts",
  "services/scoring-api/test/killswitch/replicas.test.ts",
  "services/scoring-api/test/replay/export-decisions.test.ts",
  "services/scoring-api/test/replay/replay-decisions.test.ts",
  "services/scoring-api/test/resilience/cluster-master-failure.test.ts",
  "services/scoring-api/test/resilience/fail-safe.test.ts",
  "services/scoring-api/test/review/**/*.test.ts",
  "services/scoring-api/test/score.test.ts",
  "services/scoring-api/test/signal-at-start-up.test.ts",
  "services/scoring-api/test/scoring/decision-log.test.ts",
  "services/scoring-api/test/scoring/redis-batching.test.ts",
  "services/scoring-api/test/scoring/degraded-warnings.test.ts",
  "test/support/test/service-process.test.ts",
  "test/infra/k8s-manifests.test.ts",
  "test/infra/k8s-processes.test.ts",
  "test/infra/kafka-compat.test.ts",
  "test/infra/prometheus-rules.test.ts",
  "test/infra/redis-cluster.test.ts",
  "test/infra/redis.test.ts",
  "test/infra/start-detached.test.ts",
  "test/infra/test-sweep.test.ts",
  "test/system/**/*.test.ts",
];

/**
 * Tests that measure latency against a floor in the same process: they run last, one file at a
 * time, after the other projects, so a Chromium or Kafka test on the other worker does not stand
 * in their measurement window.
 */
const TIMING = [
  "services/scoring-api/test/resilience/redis-outage.test.ts",
  "services/scoring-api/test/resilience/late-timeout.test.ts",
  "services/scoring-api/test/resilience/model-failure.test.ts",
  "services/scoring-api/test/resilience/overload.test.ts",
];

/**
 * The Redis-using integration tests that run a second time against the 3-master Redis Cluster in
 * every `npm test` (RISKGATE_TEST_REDIS=cluster: test-support's harnesses and createRedis() connect to
 * REDIS_CLUSTER_URL). Not the whole integration set: twice that would not fit the suite's time on a
 * 2-core box. These are the parts whose Redis use differs on a cluster: the feature store (scripts
 * and reads per hash slot), the skew test through the ingest, the review queue's multi-key scripts,
 * the kill-switch (scripts, pub/sub across nodes, a replica cut off from every master) and scoring
 * end to end. The whole set runs on the cluster with `npm run test:cluster` (below).
 */
const CLUSTER = [
  "feature-store/test/online/conformance.test.ts",
  "feature-store/test/online/read-then-apply.test.ts",
  "feature-store/test/online/redis-store.test.ts",
  "services/feature-ingest/test/skew.test.ts",
  "services/scoring-api/test/killswitch/propagation-redis.test.ts",
  "services/scoring-api/test/killswitch/propagation.test.ts",
  "services/scoring-api/test/killswitch/replicas.test.ts",
  "services/scoring-api/test/review/queue-conformance.test.ts",
  "services/scoring-api/test/review/review-api.test.ts",
  "services/scoring-api/test/score.test.ts",
  "test/infra/redis.test.ts",
];

/**
 * `npm run test:cluster` exports RISKGATE_TEST_REDIS=cluster and runs the integration and timing
 * projects: every test that uses the shared test Redis then runs on the cluster, except these,
 * which use no shared Redis, so a second run would repeat the first:
 */
const NOT_ON_CLUSTER = [
  // Their subject is a standalone redis-server of their own, frozen (SIGSTOP), stopped or flushed
  // under the API; a cluster's failure of one master is cluster-master-failure.test.ts's subject.
  "services/scoring-api/test/resilience/fail-safe.test.ts",
  "services/scoring-api/test/resilience/redis-outage.test.ts",
  "services/scoring-api/test/resilience/late-timeout.test.ts",
  // bench:store's, bench:api-levels', cpu-per-checkout's and bench:scripts' cores: the benches take
  // a standalone REDIS_URL (one server's SCAN, MEMORY USAGE and INFO cpu or commandstats).
  "feature-store/test/bench/store-levels.test.ts",
  "services/scoring-api/test/bench/api-levels.test.ts",
  "services/scoring-api/test/bench/cpu-per-checkout.test.ts",
  "services/scoring-api/test/bench/script-cost.test.ts",
  // A fresh standalone Redis of its own, so every key in it is the API's and can be read back.
  "services/scoring-api/test/input-guards.test.ts",
  // Clusters of their own in every run already.
  "services/scoring-api/test/resilience/cluster-master-failure.test.ts",
  "test/infra/redis-cluster.test.ts",
  // No Redis at all: Kafka, Prometheus, vegeta, child processes, pure logic.
  "load-tests/test/runner.test.ts",
  "load-tests/test/bench/stack.test.ts",
  "load-tests/test/scenarios/switches.test.ts",
  "services/common/test/kafka-topics.test.ts",
  "services/common/test/kafka-idempotent-producer.test.ts",
  "services/common/test/shutdown.test.ts",
  "services/feature-ingest/test/pending-commits.test.ts",
  "services/scoring-api/test/kafka-producers.test.ts",
  "services/scoring-api/test/kafka-start-up.test.ts",
  "services/scoring-api/test/replay/replay-decisions.test.ts",
  "services/scoring-api/test/resilience/model-failure.test.ts",
  "services/scoring-api/test/scoring/decision-log.test.ts",
  "services/scoring-api/test/scoring/redis-batching.test.ts",
  "services/scoring-api/test/scoring/degraded-warnings.test.ts",
  "test/infra/kafka-compat.test.ts",
  "test/infra/prometheus-rules.test.ts",
  "test/infra/start-detached.test.ts",
  "test/support/test/service-process.test.ts",
  // Its services' main.ts on the standalone Redis: the subject is the manifests, not the store.
  "test/infra/k8s-manifests.test.ts",
  "test/infra/k8s-processes.test.ts",
  // The real main.ts on the standalone Redis: the subject is its signals or its workers, not the store.
  "services/scoring-api/test/cluster/workers.test.ts",
  "services/feature-ingest/test/signal-at-start-up.test.ts",
  "services/scoring-api/test/signal-at-start-up.test.ts",
];

/** Set for the config by `npm run test:cluster` (infra/dev/test-all.sh), not by a project's env. */
const WHOLE_SUITE_ON_CLUSTER = process.env.RISKGATE_TEST_REDIS === "cluster";
const notOnCluster = WHOLE_SUITE_ON_CLUSTER ? NOT_ON_CLUSTER : [];

export default defineConfig({
  test: {
    // Tests share one real Redis and one real Kafka broker; two workers keep a 2-core box responsive.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ALL,
          exclude: [...configDefaults.exclude, ...INTEGRATION, ...TIMING],
          env: { REDIS_URL: "", REDIS_CLUSTER_URL: "", KAFKA_BROKERS: "" },
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: INTEGRATION,
          exclude: [...configDefaults.exclude, ...notOnCluster],
        },
      },
      // The whole-suite run covers these files in the integration project already.
      ...(WHOLE_SUITE_ON_CLUSTER
        ? []
        : [
            {
              extends: true,
              test: { name: "cluster", include: CLUSTER, env: { RISKGATE_TEST_REDIS: "cluster" } },
            },
          ]),
      {
        extends: true,
        test: {
          name: "timing",
          include: TIMING,
          exclude: [...configDefaults.exclude, ...notOnCluster],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
