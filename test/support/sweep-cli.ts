// Before `npm test`: removes what earlier test runs left in the shared dev services (sweep.ts), older
// than RISKGATE_TEST_SWEEP_HOURS (default 6; 0 keeps everything). Prints one line.
// usage: REDIS_URL=… [REDIS_CLUSTER_URL=…] KAFKA_BROKERS=… node test/support/sweep-cli.ts
import { createRedisClient } from "@riskgate/common/redis-client";
import { createKafka, redisReady } from "./services.ts";
import { sweepKeys, sweepTopics } from "./sweep.ts";

const hours = Number(process.env.RISKGATE_TEST_SWEEP_HOURS ?? "6");
if (!Number.isFinite(hours) || hours < 0)
  throw new Error("RISKGATE_TEST_SWEEP_HOURS must be a number of hours ≥ 0");
if (hours > 0) {
  const before = Date.now() - hours * 3_600_000;
  let keys = 0;
  for (const url of [process.env.REDIS_URL, process.env.REDIS_CLUSTER_URL]) {
    if (!url) continue;
    const redis = createRedisClient(url, { commandTimeoutMs: 30_000, name: "test-sweep" });
    await redisReady(redis);
    keys += await sweepKeys(redis, before);
    redis.disconnect();
  }
  const admin = createKafka("test-sweep").admin();
  await admin.connect();
  const topics = await sweepTopics(admin, before);
  await admin.disconnect();
  process.stdout.write(
    `test sweep: ${keys} keys and ${topics} topics of test runs older than ${hours} h removed\n`,
  );
}
