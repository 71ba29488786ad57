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
} from "./contract.ts";
import { READ_CHECKOUT_LUA } from "./read-checkout-lua.ts";
import { RedisKeys } from "./redis-keys.ts";

const OUTCOMES: readonly ApplyOutcome[] = ["applied", "duplicate", "too_late"];
const OP_CODE = { stream_add: "s", incr: "i", min: "n", max: "x", last: "l" } as const;

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

  /** Key count, keys and arguments of one event's apply script (protocol: apply-event-lua.ts). */
  private applyArgs(update: EventUpdate): (string | number)[] {
    const keys: string[] = [];
    const args: (string | number)[] = [update.eventId, update.eventTime, HORIZON_MS, this.ttlSeconds];
    for (const eu of update.entities) {
      const entityKeys = [this.keys.hash(eu.entity, eu.id), this.keys.seen(eu.entity, eu.id)];
      const ops: (string | number)[] = [];
      for (const m of eu.mutations) {
        if (m.op === "stream_add") {
          ops.push(
            OP_CODE.stream_add,
            indexOf(entityKeys, this.keys.stream(eu.entity, eu.id, m.stream)),
            m.member,
          );
        } else if (m.op === "incr") {
          ops.push(OP_CODE.incr, m.field, m.by);
        } else {
          ops.push(OP_CODE[m.op], m.field, m.value);
        }
      }
      keys.push(...entityKeys);
      args.push(entityKeys.length, ops.length / 3, ...ops);
    }
    // Defined commands without a fixed key count take it as their first argument.
    return [keys.length, ...keys, ...args];
  }

  /** Every entity of the checkout (hash, window counts, member times) in one script call. */
  async read(plan: ReadPlan): Promise<RawState> {
    const keys: string[] = [];
    const args: (string | number)[] = [plan.asOf];
    for (const er of plan.entities) {
      const entityKeys = [this.keys.hash(er.entity, er.id)];
      const reads: (string | number)[] = [];
      for (const c of er.counts) {
        reads.push(
          indexOf(entityKeys, this.keys.stream(er.entity, er.id, c.stream)),
          `(${plan.asOf - c.windowMs}`,
        );
      }
      for (const m of er.members) {
        reads.push(indexOf(entityKeys, this.keys.stream(er.entity, er.id, m.stream)), m.member);
      }
      keys.push(...entityKeys);
      args.push(entityKeys.length, er.counts.length, er.members.length, ...reads);
    }
    const scripts = this.redis as unknown as StoreScripts;
    const reply = (await scripts.rgReadCheckout(keys.length, ...keys, ...args)) as unknown[][];
    return plan.entities.map((er, e) => snapshot(plan.asOf, er, reply[e] as unknown[]));
  }
}

/** 1-based position of `key` in `keys`, appending it when new. */
function indexOf(keys: string[], key: string): number {
  const at = keys.indexOf(key);
  return (at < 0 ? keys.push(key) - 1 : at) + 1;
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
