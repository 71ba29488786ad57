// Removes what test runs left in the shared dev services (sweep.ts), then prints one line:
// - with RISKGATE_TEST_SWEEP_RUN=<tag> (test-all.sh, when its run ends): that run's keys and topics;
// - else (test-all.sh, before its run): those older than RISKGATE_TEST_SWEEP_HOURS (default 6; 0
//   keeps everything).
// usage: REDIS_URL=… [REDIS_CLUSTER_URL=…] KAFKA_BROKERS=… node test/support/sweep-cli.ts
import { createRedisClient } from "@riskgate/common/redis-client";
import { createKafka, redisReady } from "./services.ts";
import { RUN_TAG, type Sweep, sweepKeys, sweepTopics } from "./sweep.ts";

function what(): { sweep: Sweep; described: string } | undefined {
  const run = process.env.RISKGATE_TEST_SWEEP_RUN;
  if (run !== undefined) {
    if (!RUN_TAG.test(run)) throw new Error("RISKGATE_TEST_SWEEP_RUN must be a run's tag: 4 hex digits");
    return { sweep: { run }, described: `of test run ${run}` };
  }
  const hours = Number(process.env.RISKGATE_TEST_SWEEP_HOURS ?? "6");
  if (!Number.isFinite(hours) || hours < 0)
    throw new Error("RISKGATE_TEST_SWEEP_HOURS must be a number of hours ≥ 0");
  if (hours === 0) return undefined;
  return {
    sweep: { before: Date.now() - hours * 3_600_000 },
    described: `of test runs older than ${hours} h`,
  };
}

const todo = what();
if (todo) {
  let keys = 0;
  for (const url of [process.env.REDIS_URL, process.env.REDIS_CLUSTER_URL]) {
    if (!url) continue;
    const redis = createRedisClient(url, { commandTimeoutMs: 30_000, name: "test-sweep" });
    await redisReady(redis);
    keys += await sweepKeys(redis, todo.sweep);
    redis.disconnect();
  }
  const admin = createKafka("test-sweep").admin();
  await admin.connect();
  const topics = await sweepTopics(admin, todo.sweep);
  await admin.disconnect();
  process.stdout.write(`test sweep: ${keys} keys and ${topics} topics ${todo.described} removed\n`);
}
