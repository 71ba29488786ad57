import { DEDUP_EVENTS, DISTINCT_EXACT_CAP } from "../definitions/bounded-state.ts";
import { DAY, HORIZON_MS, LIFETIME_MAX_AGE_MS } from "../definitions/time.ts";
import { APPLY_EVENT_LUA } from "./apply-event-lua.ts";
import { bucketIndex, countUnits, hllRing } from "./buckets.ts";
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
import { ReadArgsEncoder } from "./read-args.ts";
import { READ_ENTITIES_LUA } from "./read-entities-lua.ts";
import { READ_THEN_APPLY_LUA } from "./read-then-apply-lua.ts";
import { RedisKeys } from "./redis-keys.ts";
import { groupBySlot, type RedisClient, runScripts, type ScriptCall } from "./script-calls.ts";

const OUTCOMES: readonly ApplyOutcome[] = ["applied", "duplicate", "too_late"];
const OP_CODE = { incr: "i", min: "n", max: "x", last: "l" } as const;
const APPLY = "rgApplyEventV2";
const READ = "rgReadEntitiesV2";
const READ_THEN_APPLY = "rgReadThenApplyV2";

export interface RedisStoreOptions {
  /** Key prefix; tests use a unique one each. */
  keyPrefix: string;
  onTooLate?: () => void;
  /** Wall clock (ms) that dates the daily housekeeping of each entity; tests move it. */
  now?: () => number;
}

/**
 * The online store on a standalone Redis or a Redis Cluster. An event is one script call per
 * slot its entities fall in (one call in all on a standalone Redis), atomic and deduplicated per
 * entity; a checkout read likewise, all calls in one pipelined round trip. Keys: README.
 */
export class RedisStore implements OnlineStore {
  private readonly keys: RedisKeys;
  // A key's TTL is refreshed on its entity's first write of a day, not on every write, so it
  // carries one extra day: a key still lives LIFETIME_MAX_AGE_MS after its last write.
  private readonly ttlSeconds = Math.ceil((LIFETIME_MAX_AGE_MS + DAY) / 1000);
  private readonly now: () => number;
  private readonly redis: RedisClient;
  private readonly options: RedisStoreOptions;
  private readonly readEncoder = new ReadArgsEncoder();

  constructor(redis: RedisClient, options: RedisStoreOptions) {
    this.redis = redis;
    this.options = options;
    this.keys = new RedisKeys(options.keyPrefix);
    this.now = options.now ?? Date.now;
    if (!(APPLY in redis)) redis.defineCommand(APPLY, { lua: APPLY_EVENT_LUA });
    if (!(READ in redis)) redis.defineCommand(READ, { lua: READ_ENTITIES_LUA });
    if (!(READ_THEN_APPLY in redis)) redis.defineCommand(READ_THEN_APPLY, { lua: READ_THEN_APPLY_LUA });
  }

  async apply(update: EventUpdate): Promise<ApplyResult> {
    return (await this.applyBatch([update]))[0] as ApplyResult;
  }

  /** Many events in order: all their script calls in one pipelined round trip. */
  async applyBatch(updates: readonly EventUpdate[]): Promise<ApplyResult[]> {
    const calls: ScriptCall[] = [];
    const layout: number[][][] = [];
    for (const update of updates) {
      const groups = this.applyCalls(update);
      layout.push(groups.map((g) => g.entities));
      for (const g of groups) calls.push(g.call);
    }
    const replies = calls.length === 0 ? [] : await runScripts(this.redis, calls);
    let next = 0;
    return updates.map((update, u) => {
      const outcomes: ApplyOutcome[] = new Array(update.entities.length);
      for (const entities of layout[u] as number[][]) this.outcomes(entities, replies[next++], outcomes);
      return { outcomes };
    });
  }

  /** Records the apply script's codes for the update's entities of one call. */
  private outcomes(entities: readonly number[], reply: unknown, into: ApplyOutcome[]): void {
    const codes = reply as unknown[];
    entities.forEach((e, k) => {
      const outcome = OUTCOMES[Number(codes[k])] ?? "applied";
      if (outcome === "too_late") this.options.onTooLate?.();
      into[e] = outcome;
    });
  }

  /** The apply script calls of one event (protocol: apply-event-lua.ts), one per slot group. */
  private applyCalls(update: EventUpdate): { entities: number[]; call: ScriptCall }[] {
    const bases = update.entities.map((eu) => this.keys.base(eu.entity, eu.id));
    return groupBySlot(this.redis, bases).map((entities) => ({
      entities,
      call: {
        script: APPLY,
        keys: entities.map((e) => bases[e] as string),
        args: this.applyArgs(update, entities),
      },
    }));
  }

  private applyArgs(update: EventUpdate, entities: readonly number[]): (string | number)[] {
    return [
      update.eventId,
      update.eventTime,
      HORIZON_MS,
      this.ttlSeconds,
      String(Math.floor(this.now() / DAY)),
      DISTINCT_EXACT_CAP,
      DEDUP_EVENTS,
      cjsonSafe(entities.map((e) => encodeOps(update.entities[e] as EntityUpdate, update.eventTime))),
      update.neverTooLate ? 1 : 0,
    ];
  }

  private readArgs(plan: ReadPlan, entities: readonly number[]): (string | number)[] {
    return [
      plan.asOf,
      this.readEncoder.encode(
        entities.map((e) => plan.entities[e] as EntityRead),
        plan.asOf,
      ),
    ];
  }

  /** Every entity of the checkout, one script call per slot group, in one round trip. */
  async read(plan: ReadPlan): Promise<RawState> {
    const bases = plan.entities.map((er) => this.keys.base(er.entity, er.id));
    const groups = groupBySlot(this.redis, bases);
    const calls = groups.map(
      (entities): ScriptCall => ({
        script: READ,
        keys: entities.map((e) => bases[e] as string),
        args: this.readArgs(plan, entities),
      }),
    );
    const replies = await runScripts(this.redis, calls);
    const out: EntitySnapshot[] = new Array(plan.entities.length);
    groups.forEach((entities, g) => {
      snapshots(plan, entities, replies[g], out);
    });
    return out;
  }

  /**
   * A checkout's read, then its own count (read-then-apply-lua.ts): one script call per slot group
   * of the read's and the update's entities together, in one round trip; per entity, atomic.
   */
  async readThenApply(
    plan: ReadPlan,
    update: EventUpdate,
  ): Promise<{ state: RawState; applied: ApplyResult }> {
    const readBases = plan.entities.map((er) => this.keys.base(er.entity, er.id));
    const applyBases = update.entities.map((eu) => this.keys.base(eu.entity, eu.id));
    const groups = groupBySlot(this.redis, [...readBases, ...applyBases]);
    const n = readBases.length;
    const parts = groups.map((members) => ({
      read: members.filter((i) => i < n),
      apply: members.filter((i) => i >= n).map((i) => i - n),
    }));
    const calls = parts.map(
      ({ read, apply }): ScriptCall => ({
        script: READ_THEN_APPLY,
        keys: [...read.map((e) => readBases[e] as string), ...apply.map((e) => applyBases[e] as string)],
        args: [read.length, ...this.readArgs(plan, read), ...this.applyArgs(update, apply)],
      }),
    );
    const replies = await runScripts(this.redis, calls);
    const state: EntitySnapshot[] = new Array(n);
    const outcomes: ApplyOutcome[] = new Array(applyBases.length);
    parts.forEach(({ read, apply }, g) => {
      const [readReply, applyReply] = replies[g] as [unknown, unknown];
      snapshots(plan, read, readReply, state);
      this.outcomes(apply, applyReply, outcomes);
    });
    return { state, applied: { outcomes } };
  }
}

function encodeOps(eu: EntityUpdate, t: number): unknown[] {
  return eu.mutations.map((m: Mutation) => {
    switch (m.op) {
      case "count":
        return ["c", m.stream, countUnits(m.windows).map((u) => [u.letter, u.slots, bucketIndex(t, u.ms)])];
      case "distinct":
        return ["u", m.set, m.member, m.windows.map(hllRing).map((r) => [r.windowMs, r.bucketMs, r.buckets])];
      case "incr":
        return [OP_CODE.incr, m.field, String(m.by)];
      default:
        return [OP_CODE[m.op], m.field, String(m.value)];
    }
  });
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

/** The read script's reply for the plan's entities of one call, into `out`. */
function snapshots(plan: ReadPlan, entities: readonly number[], reply: unknown, out: EntitySnapshot[]): void {
  const perEntity = reply as unknown[][];
  entities.forEach((e, k) => {
    out[e] = snapshot(plan.asOf, plan.entities[e] as EntityRead, perEntity[k] as unknown[]);
  });
}

function snapshot(asOf: number, er: EntityRead, reply: readonly unknown[]): EntitySnapshot {
  const flat = reply[0] as string[];
  let fields: Record<string, string> | null = null;
  if (flat.length > 0) {
    fields = {};
    for (let k = 0; k < flat.length; k += 2) fields[flat[k] as string] = flat[k + 1] as string;
  }
  const counts = er.counts.map((_, k) => Number(reply[1 + k]));
  const offset = 1 + er.counts.length;
  const distinct = er.distinct.map((_, k) => Number(reply[offset + k]));
  const members = er.members.map((m, k) => {
    const score = reply[offset + er.distinct.length + k] as string | null | undefined;
    if (score == null) return null;
    const t = Number(score);
    return t > asOf - m.windowMs ? t : null;
  });
  return { fields, counts, distinct, members };
}
