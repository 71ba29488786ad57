// The dev Redis Cluster started by infra/dev/redis-cluster.sh, reached through the services' own
// client (createRedisClient over a redis+cluster:// REDIS_URL): three masters share the slots, a
// script may only touch one slot (why every key format has a hash tag), and a PUBLISH from a script
// on one master reaches a subscriber on another (the kill-switch's change notice).

import { createRedisClient, duplicateRedisClient, redisProblems } from "@riskgate/common/redis-client";
import { parseRedisUrl } from "@riskgate/common/redis-url";
import { redisClusterUrl, scanKeys, uniquePrefix, waitFor } from "@riskgate/test-support/services";
import { Cluster, Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let cluster: Cluster;

beforeAll(async () => {
  const client = createRedisClient(redisClusterUrl(), { commandTimeoutMs: 2_000, name: "riskgate-test" });
  if (!(client instanceof Cluster)) throw new Error("a redis+cluster:// URL gave a standalone client");
  cluster = client;
  await waitFor(() => cluster.status === "ready", { what: "the Cluster client to connect" });
});

afterAll(() => cluster?.quit());

describe("dev Redis Cluster", () => {
  it("has three masters serving every slot, with persistence off", async () => {
    const info = String(await cluster.cluster("INFO"));
    expect(info).toMatch(/cluster_state:ok/);
    expect(info).toMatch(/cluster_slots_assigned:16384/);
    expect(cluster.nodes("master")).toHaveLength(3);
    for (const node of cluster.nodes("master"))
      expect(await node.config("GET", "save")).toEqual(["save", ""]);
    expect(redisProblems(cluster)).toEqual([]);
  });

  it("spreads keys over the masters and reads each back from the master that owns it", async () => {
    const prefix = uniquePrefix("cluster-spread");
    const keys = Array.from({ length: 30 }, (_, i) => `${prefix}{e${i}}:h`);
    await Promise.all(keys.map((k) => cluster.set(k, k, "PX", 10_000)));
    expect(await Promise.all(keys.map((k) => cluster.get(k)))).toEqual(keys);
    const held = await Promise.all(cluster.nodes("master").map((node) => scanKeys(node, `${prefix}*`)));
    expect(held.map((k) => k.length > 0)).toEqual([true, true, true]);
    expect(held.flat().sort()).toEqual([...keys].sort());
    await Promise.all(keys.map((k) => cluster.del(k)));
  });

  it("refuses a script whose keys span slots, and runs it when one hash tag keeps them together", async () => {
    const prefix = uniquePrefix("cluster-script");
    const lua =
      "redis.call('SET', KEYS[1], '1', 'PX', 10000); redis.call('SET', KEYS[2], '2', 'PX', 10000); return 1";
    // Two plain keys that land on different slots (the prefix is the same, so no hash tag applies).
    await expect(cluster.eval(lua, 2, `${prefix}a-1`, `${prefix}b-2`)).rejects.toThrow(/CROSSSLOT/);
    expect(await cluster.eval(lua, 2, `${prefix}{e}:a`, `${prefix}{e}:b`)).toBe(1);
  });

  it("delivers a PUBLISH made by a script on one master to a subscriber connected to another", async () => {
    const prefix = uniquePrefix("cluster-pubsub");
    const channel = `${prefix}changed`;
    const target = parseRedisUrl(redisClusterUrl());
    if (target?.kind !== "cluster") throw new Error("REDIS_CLUSTER_URL is not a cluster URL");
    const key = `${prefix}{ks}:state`;
    const owner = String(await cluster.cluster("KEYSLOT", key));
    const publisherNode = cluster.slots[Number(owner)]?.[0];
    const other = target.nodes.find((n) => `${n.host}:${n.port}` !== publisherNode);
    if (!other) throw new Error("no second master");
    const subscriber = new Redis({ host: other.host, port: other.port });
    const dup = duplicateRedisClient(cluster, { name: "riskgate-test-sub", commandTimeoutMs: 2_000 });
    try {
      const heard: string[] = [];
      const viaCluster: string[] = [];
      subscriber.on("message", (_ch: string, m: string) => heard.push(m));
      dup.on("message", (_ch: string, m: string) => viaCluster.push(m));
      await subscriber.subscribe(channel);
      await waitFor(() => dup.status === "ready", { what: "the duplicate to connect" });
      await dup.subscribe(channel);
      await cluster.eval(
        "redis.call('SET', KEYS[1], ARGV[2]); return redis.call('PUBLISH', ARGV[1], ARGV[2])",
        1,
        key,
        channel,
        "7",
      );
      await waitFor(() => heard.length > 0 && viaCluster.length > 0, {
        what: "the notice on both subscribers",
      });
      expect(heard).toEqual(["7"]);
      expect(viaCluster).toEqual(["7"]);
    } finally {
      subscriber.disconnect();
      dup.disconnect();
      await cluster.del(key);
    }
  });
});
