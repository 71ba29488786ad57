import type { RedisClient } from "@riskgate/common/redis-client";

/**
 * The Redis server's CPU time so far in ms (INFO cpu, main thread, user + system), or undefined on
 * a cluster (one process per master). It counts every client of that server: a bench reads it
 * around its own traffic only when nothing else uses that Redis.
 */
export async function redisServerCpuMs(redis: RedisClient): Promise<number | undefined> {
  if (redis.isCluster) return undefined;
  const info = await redis.info("cpu");
  const seconds = (name: string) =>
    Number(new RegExp(`^${name}:([\\d.]+)`, "m").exec(info)?.[1] ?? Number.NaN);
  return (seconds("used_cpu_user_main_thread") + seconds("used_cpu_sys_main_thread")) * 1000;
}
