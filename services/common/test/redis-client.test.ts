// createRedisClient's command timeout against the dev Redis and the dev Redis Cluster: a reply that
// came in while the event loop was busy is kept, a reply that does not come in time fails the command.

import { createRedisClient, duplicateRedisClient, type RedisClient } from "@riskgate/common/redis-client";
import { redisClusterUrl, redisReady, redisUrl, uniquePrefix } from "@riskgate/test-support/services";
import { afterEach, describe, expect, it } from "vitest";

/** Keeps the event loop busy (as a long turn of a saturated API does) for `ms`. */
function busyFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}

const clients: RedisClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.disconnect();
});

async function connected(url: string, commandTimeoutMs: number): Promise<RedisClient> {
  const client = createRedisClient(url, { commandTimeoutMs, name: "riskgate-test-timeout" });
  clients.push(client);
  await redisReady(client);
  return client;
}

describe.each([
  ["Redis", () => redisUrl()],
  ["Redis Cluster", () => redisClusterUrl()],
])("createRedisClient on a %s", (_kind, url) => {
  it("keeps a reply that came in while the event loop was busy past the timeout", async () => {
    const client = await connected(url(), 20);
    const key = `${uniquePrefix("fair-timeout")}k`;
    await client.set(key, "v", "PX", 60_000);
    const replies = [client.ping(), client.get(key)];
    // Redis answers within a millisecond; the loop reads the replies only after this turn, 60 ms on.
    busyFor(60);
    await expect(Promise.all(replies)).resolves.toEqual(["PONG", "v"]);
  });

  it("fails a command that gets no reply in time, and so does a duplicate client", async () => {
    const client = await connected(url(), 30);
    const key = `${uniquePrefix("fair-timeout")}list`;
    // BLPOP on an empty list: Redis holds the reply for a second.
    const started = performance.now();
    await expect(client.blpop(key, 1)).rejects.toThrow("Command timed out");
    expect(performance.now() - started).toBeLessThan(500);

    const copy = duplicateRedisClient(client, { name: "riskgate-test-timeout-copy", commandTimeoutMs: 30 });
    clients.push(copy);
    await redisReady(copy);
    await expect(copy.blpop(key, 1)).rejects.toThrow("Command timed out");
  });
});
