import type { Redis } from "ioredis";
import { HORIZON_MS, LIFETIME_MAX_AGE_MS } from "../definitions/time.ts";
import { APPLY_ENTITY_LUA } from "./apply-entity-lua.ts";
import type {
  ApplyOutcome,
  ApplyResult,
  EntitySnapshot,
  EventUpdate,
  OnlineStore,
  RawState,
  ReadPlan,
} from "./contract.ts";
import { RedisKeys } from "./redis-keys.ts";

const OUTCOMES: readonly ApplyOutcome[] = ["applied", "duplicate", "too_late"];
const OP_CODE = { stream_add: "s", incr: "i", min: "n", max: "x", last: "l" } as const;

type ApplyCommand = (...args: (string | number)[]) => unknown;

export interface RedisStoreOptions {
  /** Key prefix; tests use a unique one each. */
  keyPrefix: string;
  onTooLate?: () => void;
}

/**
 * The online store on Redis. Writes: one Lua script per entity (single slot, atomic, deduplicated
 * by event id), all of an event's entities pipelined in one round trip. Reads: one pipeline of
 * HGETALL / ZCOUNT / ZSCORE for every entity of a checkout, one round trip.
 */
export class RedisStore implements OnlineStore {
  private readonly keys: RedisKeys;
  private readonly ttlSeconds = Math.ceil(LIFETIME_MAX_AGE_MS / 1000);

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisStoreOptions,
  ) {
    this.keys = new RedisKeys(options.keyPrefix);
    if (!("rgApplyEntity" in redis)) {
      redis.defineCommand("rgApplyEntity", { lua: APPLY_ENTITY_LUA });
    }
  }

  async apply(update: EventUpdate): Promise<ApplyResult> {
    return (await this.applyBatch([update]))[0] as ApplyResult;
  }

  async applyBatch(updates: readonly EventUpdate[]): Promise<ApplyResult[]> {
    const pipeline = this.redis.pipeline();
    const apply = (pipeline as unknown as { rgApplyEntity: ApplyCommand }).rgApplyEntity.bind(pipeline);
    for (const update of updates) {
      for (const eu of update.entities) {
        const streamKeys: string[] = [];
        const args: (string | number)[] = [update.eventId, update.eventTime, HORIZON_MS, this.ttlSeconds];
        for (const m of eu.mutations) {
          if (m.op === "stream_add") {
            const key = this.keys.stream(eu.entity, eu.id, m.stream);
            let index = streamKeys.indexOf(key);
            if (index < 0) index = streamKeys.push(key) - 1;
            args.push(OP_CODE.stream_add, index + 3, m.member);
          } else if (m.op === "incr") {
            args.push(OP_CODE.incr, m.field, m.by);
          } else {
            args.push(OP_CODE[m.op], m.field, m.value);
          }
        }
        const keys = [this.keys.hash(eu.entity, eu.id), this.keys.seen(eu.entity, eu.id), ...streamKeys];
        // Defined commands without a fixed key count take it as their first argument.
        apply(keys.length, ...keys, ...args);
      }
    }
    const replies = (await pipeline.exec()) ?? [];
    let r = 0;
    return updates.map((update) => {
      const outcomes = update.entities.map(() => {
        const [err, code] = replies[r++] ?? [new Error("missing pipeline reply"), null];
        if (err) throw err;
        const outcome = OUTCOMES[Number(code)] ?? "applied";
        if (outcome === "too_late") this.options.onTooLate?.();
        return outcome;
      });
      return { outcomes };
    });
  }

  async read(plan: ReadPlan): Promise<RawState> {
    const pipeline = this.redis.pipeline();
    const lo = (w: number) => `(${plan.asOf - w}`;
    for (const er of plan.entities) {
      pipeline.hgetall(this.keys.hash(er.entity, er.id));
      for (const c of er.counts) {
        pipeline.zcount(this.keys.stream(er.entity, er.id, c.stream), lo(c.windowMs), plan.asOf);
      }
      for (const m of er.members) pipeline.zscore(this.keys.stream(er.entity, er.id, m.stream), m.member);
    }
    const results = (await pipeline.exec()) ?? [];
    let r = 0;
    const next = (): unknown => {
      const [err, value] = results[r++] ?? [new Error("missing pipeline reply"), null];
      if (err) throw err;
      return value;
    };
    return plan.entities.map((er): EntitySnapshot => {
      const hash = next() as Record<string, string>;
      const counts = er.counts.map(() => Number(next()));
      const members = er.members.map((m) => {
        const score = next() as string | null;
        if (score === null) return null;
        const t = Number(score);
        return t > plan.asOf - m.windowMs ? t : null;
      });
      return { fields: Object.keys(hash).length === 0 ? null : hash, counts, members };
    });
  }
}
