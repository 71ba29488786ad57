// A Redis outage for one client, staged by TCP proxies the test cuts and restores: in front of the
// test Redis, or of each master of the Redis Cluster (the client maps the nodes' announced addresses
// to the proxies with natMap, so it reaches the cluster only through them).
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import type { RedisClient } from "@riskgate/common/redis-client";
import { redisReady } from "@riskgate/test-support/services";
import { Cluster, Redis } from "ioredis";

/** Registers what the test closes after it. */
type Own = (resource: { close(): Promise<unknown> }) => void;

interface Address {
  readonly host: string;
  readonly port: number;
}

/** A TCP proxy in front of one Redis server that a test can cut and restore. */
async function tcpProxy(target: Address, own: Own) {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const up = () =>
    new Promise<void>((resolve) => {
      const srv = createServer((client) => {
        const upstream = tcpConnect(target.port, target.host);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on("close", () => sockets.delete(s));
          s.on("error", () => {});
        }
        client.pipe(upstream).pipe(client);
      });
      server = srv;
      srv.listen(port, "127.0.0.1", () => {
        port = (srv.address() as { port: number }).port;
        resolve();
      });
    });
  const down = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      if (server) server.close(() => resolve());
      else resolve();
      server = undefined;
    });
  await up();
  own({ close: down });
  return { up, down, port: () => port };
}

/**
 * A Redis outage for one client: a proxy in front of the test Redis, or on a Redis Cluster one in
 * front of each master, the client mapping the addresses the nodes announce to them (natMap).
 */
export async function outageProxy(admin: RedisClient, own: Own) {
  await redisReady(admin);
  const targets: Address[] =
    admin instanceof Cluster
      ? admin.nodes("master").map((n) => ({ host: n.options.host as string, port: n.options.port as number }))
      : [{ host: admin.options.host as string, port: admin.options.port as number }];
  const proxies = await Promise.all(targets.map((t) => tcpProxy(t, own)));
  return {
    up: async () => void (await Promise.all(proxies.map((p) => p.up()))),
    down: async () => void (await Promise.all(proxies.map((p) => p.down()))),
    /** A replica-like client through the proxies (no offline queue, short timeout, quick reconnects). */
    client(): RedisClient {
      const perNode = {
        enableOfflineQueue: false,
        commandTimeout: 50,
        maxRetriesPerRequest: 1,
        retryStrategy: () => 20,
      };
      const at = (i: number) => ({
        host: "127.0.0.1",
        port: (proxies[i] as (typeof proxies)[number]).port(),
      });
      const r: RedisClient =
        admin instanceof Cluster
          ? new Cluster([at(0)], {
              scaleReads: "master",
              enableOfflineQueue: false,
              clusterRetryStrategy: () => 20,
              natMap: Object.fromEntries(targets.map((t, i) => [`${t.host}:${t.port}`, at(i)])),
              redisOptions: perNode,
            })
          : new Redis({ ...at(0), ...perNode });
      r.on("error", () => {});
      // As createRedisClient does: a master is connected when the client learns of it, not on first use.
      r.on("+node", (node: Redis) => {
        if (node.status === "wait") node.connect().catch(() => {});
      });
      own({ close: async () => r.disconnect() });
      return r;
    },
  };
}

/** Whether every connection a client needs is up: on a Cluster, each master's. */
export function connected(r: RedisClient): boolean {
  if (!(r instanceof Cluster)) return r.status === "ready";
  const masters = r.nodes("master");
  return r.status === "ready" && masters.length > 0 && masters.every((n) => n.status === "ready");
}

/** Whether no connection of a client is up. */
export function cut(r: RedisClient): boolean {
  return r instanceof Cluster ? r.nodes("master").every((n) => n.status !== "ready") : r.status !== "ready";
}
