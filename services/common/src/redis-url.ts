/**
 * What REDIS_URL names: one Redis (`redis://[user:password@]host:port[/db]`, `rediss://` for TLS), or
 * a Redis Cluster through its seed nodes:
 *
 *   redis+cluster://[user:password@]host:port[,host:port...]     (rediss+cluster:// for TLS)
 *
 * One variable either way, so every service and tool that takes REDIS_URL can be pointed at a
 * cluster. The seeds are only where the client starts: it learns every master from CLUSTER SLOTS.
 * A cluster has one database, so a path is refused, and so is a query string (nothing reads it).
 */
export type RedisTarget =
  | { readonly kind: "standalone"; readonly url: string }
  | {
      readonly kind: "cluster";
      readonly nodes: readonly { readonly host: string; readonly port: number }[];
      readonly username?: string;
      readonly password?: string;
      readonly tls: boolean;
    };

export const REDIS_URL_FORMS =
  "redis://host:port, rediss://host:port or redis+cluster://host:port,host:port (rediss+cluster:// for TLS)";

const CLUSTER = /^(rediss?)\+cluster:\/\/(?:([^@/?#]*)@)?([^@/?#]+)\/?$/i;
const NODE = /^(?:\[([0-9a-f:.]+)\]|([^:[\]]+)):(\d{1,5})$/i;

/** The target `text` names, or undefined when it is none of the forms above. Never throws. */
export function parseRedisUrl(text: string): RedisTarget | undefined {
  const cluster = CLUSTER.exec(text);
  if (cluster) return parseCluster(cluster);
  try {
    const url = new URL(text);
    return url.protocol === "redis:" || url.protocol === "rediss:"
      ? { kind: "standalone", url: text }
      : undefined;
  } catch {
    return undefined;
  }
}

function parseCluster(m: RegExpExecArray): RedisTarget | undefined {
  const [, scheme, credentials, hosts] = m;
  const nodes: { host: string; port: number }[] = [];
  for (const item of (hosts ?? "").split(",")) {
    const n = NODE.exec(item.trim());
    const port = Number(n?.[3]);
    if (!n || port < 1 || port > 65_535) return undefined;
    nodes.push({ host: (n[1] ?? n[2]) as string, port });
  }
  let username: string | undefined;
  let password: string | undefined;
  if (credentials) {
    const colon = credentials.indexOf(":");
    try {
      username = decodeURIComponent(colon < 0 ? credentials : credentials.slice(0, colon));
      password = colon < 0 ? undefined : decodeURIComponent(credentials.slice(colon + 1));
    } catch {
      return undefined;
    }
  }
  return {
    kind: "cluster",
    nodes,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    tls: scheme?.toLowerCase() === "rediss",
  };
}
