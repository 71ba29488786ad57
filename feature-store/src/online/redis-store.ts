import type { Redis } from "ioredis";
import { DAY, HORIZON_MS, LIFETIME_MAX_AGE_MS } from "../definitions/time.ts";
import { APPLY_EVENT_LUA } from "./apply-event-lua.ts";
import type {
  ApplyOutcome,
  ApplyResult,
  EntityRead,
  EntitySnapshot,
  EntityUpdate,
  EventUpdate,
  Mutation,
  OnlineStore,
  RawState,
  ReadPlan,
} from "./contract.ts";
import { READ_CHECKOUT_LUA } from "./read-checkout-lua.ts";
import { RedisKeys } from "./redis-keys.ts";

const OUTCOMES: readonly ApplyOutcome[] = ["applied", "duplicate", "too_late"];
const OP_CODE = { min: "n", max: "x", last: "l" } as const;

type ScriptCommand = (...args: (string | number)[]) => Promise<unknown>;
interface StoreScripts {
  rgApplyEvent: ScriptCommand;
  rgReadCheckout: ScriptCommand;
}

export interface RedisStoreOptions {
  /** Key prefix; tests use a unique one each. */
  keyPrefix: string;
  onTooLate?: () => void;
  /** Wall clock (ms) that dates the daily housekeeping of each entity; tests move it. */
  now?: () => number;
}

/**
 * The online store on Redis: one Lua call per event written (each entity deduplicated by event id,
 * the event atomic) and one per checkout read. A call spans the event's entities, so all keys must
 * live on one node (standalone Redis); keys still carry a per-entity hash tag (README).
 */
export class RedisStore implements OnlineStore {
  private readonly keys: RedisKeys;
  // A key's TTL is refreshed on its entity's first write of a day, not on every write, so it
  // carries one extra day: a key still lives LIFETIME_MAX_AGE_MS after its last write.
  private readonly ttlSeconds = Math.ceil((LIFETIME_MAX_AGE_MS + DAY) / 1000);
  private readonly now: () => number;
  private readonly redis: Redis;
  private readonly options: RedisStoreOptions;

  constructor(redis: Redis, options: RedisStoreOptions) {
    this.redis = redis;
    this.options = options;
    this.keys = new RedisKeys(options.keyPrefix);
    this.now = options.now ?? Date.now;
    if (!("rgApplyEvent" in redis)) redis.defineCommand("rgApplyEvent", { lua: APPLY_EVENT_LUA });
    if (!("rgReadCheckout" in redis)) redis.defineCommand("rgReadCheckout", { lua: READ_CHECKOUT_LUA });
  }

  /** One event (the API's velocity update): one script call on the shared client. */
  async apply(update: EventUpdate): Promise<ApplyResult> {
    const scripts = this.redis as unknown as StoreScripts;
    return this.result(await scripts.rgApplyEvent(...this.applyArgs(update)));
  }

  async applyBatch(updates: readonly EventUpdate[]): Promise<ApplyResult[]> {
    if (updates.length === 0) return [];
    const pipeline = this.redis.pipeline();
    const scripts = pipeline as unknown as StoreScripts;
    for (const update of updates) void scripts.rgApplyEvent(...this.applyArgs(update));
    const replies = (await pipeline.exec()) ?? [];
    return updates.map((_, i) => {
      const [err, codes] = replies[i] ?? [new Error("missing pipeline reply"), null];
      if (err) throw err;
      return this.result(codes);
    });
  }

  private result(codes: unknown): ApplyResult {
    return {
      outcomes: (codes as unknown[]).map((code) => {
        const outcome = OUTCOMES[Number(code)] ?? "applied";
        if (outcome === "too_late") this.options.onTooLate?.();
        return outcome;
      }),
    };
  }

  /** Keys and arguments of one event's apply script (protocol: apply-event-lua.ts). */
  private applyArgs(update: EventUpdate): (string | number)[] {
    const n = update.entities.length;
    // Defined commands without a fixed key count take it as their first argument.
    const args: (string | number)[] = [n];
    const ops: string[][][] = new Array(n);
    for (let e = 0; e < n; e++) {
      const eu = update.entities[e] as EntityUpdate;
      args.push(this.keys.base(eu.entity, eu.id));
      const list: string[][] = new Array(eu.mutations.length);
      for (let k = 0; k < eu.mutations.length; k++) {
        const m = eu.mutations[k] as Mutation;
        if (m.op === "stream_add") list[k] = ["s", m.stream, m.member];
        else if (m.op === "incr") list[k] = ["i", m.field, String(m.by)];
        else list[k] = [OP_CODE[m.op], m.field, String(m.value)];
      }
      ops[e] = list;
    }
    const wallDay = Math.floor(this.now() / DAY);
    args.push(update.eventId, update.eventTime, HORIZON_MS, this.ttlSeconds, wallDay, cjsonSafe(ops));
    args.push(update.neverTooLate ? 1 : 0);
    return args;
  }

  /** Every entity of the checkout (hash, window counts, member times) in one script call. */
  async read(plan: ReadPlan): Promise<RawState> {
    const args: (string | number)[] = [plan.entities.length];
    for (const er of plan.entities) args.push(this.keys.base(er.entity, er.id));
    args.push(plan.asOf, cjsonSafe(plan.entities.map((er) => [er.counts, er.members])));
    const scripts = this.redis as unknown as StoreScripts;
    const reply = (await scripts.rgReadCheckout(...args)) as unknown[][];
    return plan.entities.map((er, e) => snapshot(plan.asOf, er, reply[e] as unknown[]));
  }
}

/**
 * JSON that Redis's cjson accepts. JSON.stringify writes \u escapes only for control characters
 * and lone surrogates, and cjson rejects the latter: in that rare case every string is made
 * well-formed first (a lone surrogate becomes U+FFFD, as in any UTF-8 encoding of the value).
 */
function cjsonSafe(value: unknown): string {
  const text = JSON.stringify(value);
  if (!text.includes("\\u")) return text;
  return JSON.stringify(value, (_, v: unknown) => (typeof v === "string" ? v.toWellFormed() : v));
}

function snapshot(asOf: number, er: EntityRead, reply: readonly unknown[]): EntitySnapshot {
  const flat = reply[0] as string[];
  let fields: Record<string, string> | null = null;
  if (flat.length > 0) {
    fields = {};
    for (let k = 0; k < flat.length; k += 2) fields[flat[k] as string] = flat[k + 1] as string;
  }
  const counts = er.counts.map((_, k) => Number(reply[1 + k]));
  const members = er.members.map((m, k) => {
    const score = reply[1 + er.counts.length + k] as string | null | undefined;
    if (score == null) return null;
    const t = Number(score);
    return t > asOf - m.windowMs ? t : null;
  });
  return { fields, counts, members };
}
