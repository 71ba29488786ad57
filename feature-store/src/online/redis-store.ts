import type { Redis } from "ioredis";
import { HORIZON_MS, LIFETIME_MAX_AGE_MS } from "../definitions/time.ts";
import { APPLY_EVENT_LUA } from "./apply-event-lua.ts";
import type {
  ApplyOutcome,
  ApplyResult,
  EntityRead,
  EntitySnapshot,
  EventUpdate,
  OnlineStore,
  RawState,
  ReadPlan,
  StreamRead,
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
}

/**
 * The online store on Redis: one Lua call per event written (each entity deduplicated by event id,
 * the event atomic) and one per checkout read. A call spans the event's entities, so all keys must
 * live on one node (standalone Redis); keys still carry a per-entity hash tag (README).
 */
export class RedisStore implements OnlineStore {
  private readonly keys: RedisKeys;
  private readonly ttlSeconds = Math.ceil(LIFETIME_MAX_AGE_MS / 1000);
  private readonly countsCache = new WeakMap<readonly StreamRead[], string>();

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisStoreOptions,
  ) {
    this.keys = new RedisKeys(options.keyPrefix);
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
    const bases: string[] = [];
    let ops = "[";
    for (const [e, eu] of update.entities.entries()) {
      bases.push(this.keys.base(eu.entity, eu.id));
      ops += e === 0 ? "[" : ",[";
      for (const [k, m] of eu.mutations.entries()) {
        if (k > 0) ops += ",";
        if (m.op === "stream_add") ops += `["s",${json(m.stream)},${json(m.member)}]`;
        else if (m.op === "incr") ops += `["i",${json(m.field)},"${m.by}"]`;
        else if (m.op === "last") ops += `["${OP_CODE.last}",${json(m.field)},${json(m.value)}]`;
        else ops += `["${OP_CODE[m.op]}",${json(m.field)},"${m.value}"]`;
      }
      ops += "]";
    }
    ops += "]";
    // Defined commands without a fixed key count take it as their first argument.
    return [bases.length, ...bases, update.eventId, update.eventTime, HORIZON_MS, this.ttlSeconds, ops];
  }

  /** Every entity of the checkout (hash, window counts, member times) in one script call. */
  async read(plan: ReadPlan): Promise<RawState> {
    const bases: string[] = [];
    let spec = "[";
    for (const [e, er] of plan.entities.entries()) {
      bases.push(this.keys.base(er.entity, er.id));
      spec += `${e === 0 ? "" : ","}[${this.countsJson(er.counts)},[`;
      for (const [k, m] of er.members.entries())
        spec += `${k === 0 ? "" : ","}[${json(m.stream)},${json(m.member)}]`;
      spec += "]]";
    }
    spec += "]";
    const scripts = this.redis as unknown as StoreScripts;
    const reply = (await scripts.rgReadCheckout(bases.length, ...bases, plan.asOf, spec)) as unknown[][];
    return plan.entities.map((er, e) => snapshot(plan.asOf, er, reply[e] as unknown[]));
  }

  // A feature set passes the same counts array for an entity on every read; its JSON is built once.
  private countsJson(counts: readonly StreamRead[]): string {
    let cached = this.countsCache.get(counts);
    if (cached === undefined) {
      cached = JSON.stringify(counts.map((c) => [c.stream, c.windowMs]));
      this.countsCache.set(counts, cached);
    }
    return cached;
  }
}

/**
 * A JSON string literal Redis's cjson accepts: it rejects the escape JSON.stringify writes for a
 * lone surrogate, which becomes U+FFFD as it would in any UTF-8 encoding of the value.
 */
function json(value: string): string {
  return JSON.stringify(value.isWellFormed() ? value : value.toWellFormed());
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
