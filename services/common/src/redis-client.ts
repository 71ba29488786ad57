import { Cluster, type ClusterOptions, Redis, type RedisOptions } from "ioredis";
import { parseRedisUrl, REDIS_URL_FORMS } from "./redis-url.ts";

/**
 * One Redis or a Redis Cluster. Both run the same commands, scripts and pipelines; a script or a
 * MULTI on a Cluster must keep its keys in one hash slot (every key format here has a hash tag).
 */
export type RedisClient = Redis | Cluster;
/** A client on one Redis server (not a cluster): one socket carries every command. */
export type StandaloneRedisClient = Redis;

export interface RedisClientOptions {
  readonly commandTimeoutMs: number;
  /** CLIENT SETNAME of every connection, so an operator sees who is connected. */
  readonly name: string;
}

// Keep reconnecting in the background, never faster than every 500 ms.
const reconnect = (times: number) => Math.min(times * 100, 500);

/**
 * A client that fails fast: scoring has a latency budget, so a dead Redis must surface as an error
 * within tens of milliseconds (and the caller degrades), not as a queue that waits minutes.
 * `url` is REDIS_URL in one of the forms of redis-url.ts; a `redis+cluster://` URL gives a Cluster.
 */
export function createRedisClient(url: string, options: RedisClientOptions): RedisClient {
  const target = parseRedisUrl(url);
  // The URL may hold a password: the message names the forms, never the value.
  if (!target) throw new Error(`REDIS_URL is not one of ${REDIS_URL_FORMS}`);
  if (target.kind === "standalone") {
    return new Redis(url, {
      ...connectionOptions(options),
      enableOfflineQueue: false,
      retryStrategy: reconnect,
    });
  }
  const cluster = new Cluster([...target.nodes], {
    ...clusterOptions,
    redisOptions: {
      ...connectionOptions(options),
      ...(target.username ? { username: target.username } : {}),
      ...(target.password ? { password: target.password } : {}),
      ...(target.tls ? { tls: {} } : {}),
    },
  });
  return connectNodesEagerly(cluster);
}

/**
 * ioredis connects to a cluster node on its first command, and without an offline queue every
 * command that meets the node still connecting fails: connect each node as soon as the client
 * learns of it.
 */
function connectNodesEagerly(cluster: Cluster): Cluster {
  cluster.on("+node", (node: Redis) => {
    if (node.status === "wait") node.connect().catch(() => {});
  });
  return cluster;
}

function connectionOptions(o: RedisClientOptions): RedisOptions {
  return {
    connectionName: o.name,
    maxRetriesPerRequest: 1,
    commandTimeout: o.commandTimeoutMs,
    connectTimeout: 2_000,
    // No auto-pipelining: ioredis runs one auto-pipeline per connection at a time, so under load
    // every command waited for the whole previous batch's replies. Requests then lived long enough
    // to be promoted to the old generation: at 1,000 checkouts/s 12 MB/s promoted and minor-GC
    // pauses of 2.6 ms (p50) with it, against 1 MB/s and 1.1 ms without (bench:score).
    enableAutoPipelining: false,
  };
}

/**
 * The Cluster's own retry machinery waits (100 ms per try, up to 16 redirections) where the scoring
 * path must fail at once and degrade: a command for a dead master's slots is rejected immediately,
 * the other masters' slots keep answering. A dead master's connection keeps reconnecting in the
 * background (so it is back the moment the master is) instead of being dropped from the pool.
 */
const clusterOptions: ClusterOptions = {
  scaleReads: "master",
  enableOfflineQueue: false,
  maxRedirections: 3,
  retryDelayOnFailover: 0,
  retryDelayOnClusterDown: 0,
  clusterRetryStrategy: reconnect,
  clusterNodeRetryStrategy: reconnect,
  enableAutoPipelining: false,
};

/** A second client to the same Redis or Cluster (e.g. a pub/sub connection), with its own name and timeout. */
export function duplicateRedisClient(client: RedisClient, options: RedisClientOptions): RedisClient {
  const own = { connectionName: options.name, commandTimeout: options.commandTimeoutMs };
  return client instanceof Cluster
    ? connectNodesEagerly(client.duplicate([], { redisOptions: own }))
    : client.duplicate(own);
}

/**
 * What is wrong with the client's connections right now, for a readiness report: the client itself
 * not ready, or on a Cluster each master whose connection is down (its slots fail; the rest answer).
 */
export function redisProblems(client: RedisClient): string[] {
  if (!(client instanceof Cluster)) return client.status === "ready" ? [] : [`redis is ${client.status}`];
  if (client.status !== "ready") return [`redis cluster is ${client.status}`];
  const owners = new Set<string>();
  for (const nodes of client.slots) if (nodes?.[0]) owners.add(nodes[0]);
  const out: string[] = [];
  for (const key of [...owners].sort()) {
    const node = client.nodes("master").find((n) => `${n.options.host}:${n.options.port}` === key);
    // "wait": connected on first use (lazily); anything else short of ready means it is away.
    if (!node) out.push(`redis cluster master ${key} is not connected`);
    else if (node.status !== "ready" && node.status !== "wait" && node.status !== "connect")
      out.push(`redis cluster master ${key} is ${node.status}`);
  }
  return out;
}

/**
 * Closes a client at shutdown. quit() lets the replies in flight arrive; a client still connecting
 * (a signal during the start-up) or reconnecting has none, and quit() would only fail (no offline
 * queue), so it is disconnected.
 */
export async function closeRedisClient(client: RedisClient): Promise<void> {
  if (client.status === "ready") await client.quit();
  else client.disconnect();
}
