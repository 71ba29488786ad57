import type { Logger } from "@riskgate/common/logger";
import type { RedisClient } from "@riskgate/common/redis-client";
import type { AuditEntry, Change, Snapshot, SwitchState, SwitchStore, Target } from "./types.ts";

/**
 * Keys (one hash tag, `{ks}`, so the state and the audit log share a Redis Cluster slot and the
 * change script may touch both):
 *   <prefix>killswitch:{ks}:state  hash: `version` → change counter; `global`, `model:<v>` → JSON state
 *   <prefix>killswitch:{ks}:audit  stream: one entry per change, capped with MAXLEN ~ (default 100k)
 * Channel: <prefix>killswitch:changed  (message: the new store version)
 */
export function killSwitchKeys(prefix: string) {
  return {
    state: `${prefix}killswitch:{ks}:state`,
    audit: `${prefix}killswitch:{ks}:audit`,
    channel: `${prefix}killswitch:changed`,
  };
}

// KEYS: state, audit. ARGV: target, engaged (1/0), reason, actor, changed_at, audit maxlen, channel.
// Returns the new state as JSON. Bump, set, audit and publish happen in one script: atomic.
const CHANGE_LUA = `
local previous = 0
local prev = redis.call('HGET', KEYS[1], ARGV[1])
if prev then
  local ok, p = pcall(cjson.decode, prev)
  if ok and type(p) == 'table' and p.engaged == true then previous = 1 end
end
local v = redis.call('HINCRBY', KEYS[1], 'version', 1)
local state = cjson.encode({engaged = ARGV[2] == '1', reason = ARGV[3], actor = ARGV[4], changed_at = ARGV[5], version = v})
redis.call('HSET', KEYS[1], ARGV[1], state)
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[6], '*',
  'version', v, 'target', ARGV[1], 'engaged', ARGV[2], 'previous_engaged', previous,
  'reason', ARGV[3], 'actor', ARGV[4], 'changed_at', ARGV[5])
if ARGV[7] ~= '' then redis.call('PUBLISH', ARGV[7], tostring(v)) end
return state
`;

// KEYS: state, audit. ARGV: snapshot version, audit maxlen, channel, actor, reason, at, then
// target/state-JSON pairs. Returns the store version afterwards.
const RESTORE_LUA = `
local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
local known = tonumber(ARGV[1])
if current >= known then return current end
local v = known + 1
redis.call('HSET', KEYS[1], 'version', v)
for i = 7, #ARGV, 2 do
  if redis.call('HEXISTS', KEYS[1], ARGV[i]) == 0 then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
    local s = cjson.decode(ARGV[i + 1])
    local engaged = '0'
    if s.engaged == true then engaged = '1' end
    redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*',
      'version', v, 'target', ARGV[i], 'engaged', engaged, 'previous_engaged', '0',
      'reason', ARGV[5], 'actor', ARGV[4], 'changed_at', ARGV[6])
  end
end
if ARGV[3] ~= '' then redis.call('PUBLISH', ARGV[3], tostring(v)) end
return v
`;

type ChangeCommand = (state: string, audit: string, ...argv: string[]) => Promise<string>;

export class RedisSwitchStore implements SwitchStore {
  readonly kind = "redis";
  readonly keys: ReturnType<typeof killSwitchKeys>;
  private readonly redis: RedisClient;
  private readonly opts: { auditMaxEntries: number; publish?: boolean };

  constructor(
    redis: RedisClient,
    prefix: string,
    opts: { auditMaxEntries: number; publish?: boolean } = { auditMaxEntries: 100_000 },
  ) {
    this.redis = redis;
    this.opts = opts;
    this.keys = killSwitchKeys(prefix);
    if (!("rgKillSwitchChange" in redis)) {
      redis.defineCommand("rgKillSwitchChange", { numberOfKeys: 2, lua: CHANGE_LUA });
      redis.defineCommand("rgKillSwitchRestore", { numberOfKeys: 2, lua: RESTORE_LUA });
    }
  }

  async read(): Promise<Snapshot> {
    const all = await this.redis.hgetall(this.keys.state);
    const switches = new Map<string, SwitchState>();
    for (const [field, raw] of Object.entries(all)) {
      if (field === "version") continue;
      const s = parseState(raw);
      if (s) switches.set(field, s);
    }
    return { version: Number(all.version ?? 0), switches };
  }

  async readVersion(): Promise<number> {
    return Number((await this.redis.hget(this.keys.state, "version")) ?? 0);
  }

  async change(target: Target, c: Change): Promise<SwitchState> {
    const run = (this.redis as unknown as { rgKillSwitchChange: ChangeCommand }).rgKillSwitchChange;
    const raw = await run.call(
      this.redis,
      this.keys.state,
      this.keys.audit,
      target,
      c.engaged ? "1" : "0",
      c.reason,
      c.actor,
      c.at,
      String(this.opts.auditMaxEntries),
      this.opts.publish === false ? "" : this.keys.channel,
    );
    const s = parseState(raw);
    if (!s) throw new Error("kill-switch change script returned an unreadable state");
    return s;
  }

  async restore(snapshot: Snapshot, note: { actor: string; reason: string; at: string }): Promise<number> {
    const run = (this.redis as unknown as { rgKillSwitchRestore: ChangeCommand }).rgKillSwitchRestore;
    const pairs = [...snapshot.switches].flatMap(([target, state]) => [target, JSON.stringify(state)]);
    const v = await run.call(
      this.redis,
      this.keys.state,
      this.keys.audit,
      String(snapshot.version),
      String(this.opts.auditMaxEntries),
      this.opts.publish === false ? "" : this.keys.channel,
      note.actor,
      note.reason,
      note.at,
      ...pairs,
    );
    return Number(v);
  }

  async audit(limit: number): Promise<AuditEntry[]> {
    const rows = await this.redis.xrevrange(this.keys.audit, "+", "-", "COUNT", limit);
    return rows.map(([id, flat]) => {
      const f: Record<string, string> = {};
      for (let i = 0; i + 1 < flat.length; i += 2) f[flat[i] as string] = flat[i + 1] as string;
      return {
        id,
        version: Number(f.version),
        target: f.target ?? "",
        engaged: f.engaged === "1",
        previous_engaged: f.previous_engaged === "1",
        reason: f.reason ?? "",
        actor: f.actor ?? "",
        changed_at: f.changed_at ?? "",
      };
    });
  }
}

function parseState(raw: string): SwitchState | undefined {
  try {
    const p = JSON.parse(raw) as Record<string, unknown>;
    return {
      engaged: p.engaged === true,
      reason: typeof p.reason === "string" ? p.reason : null,
      actor: typeof p.actor === "string" ? p.actor : null,
      changed_at: typeof p.changed_at === "string" ? p.changed_at : null,
      version: typeof p.version === "number" ? p.version : 0,
    };
  } catch {
    return undefined;
  }
}

export interface Subscription {
  close(): Promise<void>;
}

/**
 * Listens for change notices on a dedicated connection (a subscribed connection cannot run other
 * commands). ioredis re-subscribes after a reconnect; a failed SUBSCRIBE is retried on every
 * `ready`. Whatever pub/sub misses, the poll catches. The connection is owned (and closed) here.
 */
export function subscribeToChanges(
  connection: RedisClient,
  channel: string,
  onNotice: (version: number) => void,
  logger: Logger,
): Subscription {
  const subscribe = () => {
    connection.subscribe(channel).catch((err: Error) => {
      logger.warn({ channel, err }, "kill-switch subscribe failed; polling covers until it works");
    });
  };
  connection.on("message", (ch: string, message: string) => {
    if (ch === channel) onNotice(Number(message));
  });
  connection.on("ready", subscribe);
  // An 'error' listener keeps a Redis outage from becoming an unhandled error event; the poll
  // reports the outage (once, as a warning) and the stale flag shows it.
  connection.on("error", (err: Error) => logger.debug({ err }, "kill-switch subscriber error"));
  if (connection.status === "ready") subscribe();
  return {
    close: async () => {
      connection.removeAllListeners("ready");
      try {
        await connection.quit();
      } catch {
        connection.disconnect();
      }
    },
  };
}
