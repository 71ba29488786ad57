// What the feature store's two Redis scripts cost the Redis server per call, on calls captured
// from real checkouts: the read of a checkout's entities and the apply of its velocity update.
// The server's own accounting (INFO commandstats, EVALSHA's usec) is read around each round, so the
// client's work and the network are out of the number; the Redis must be otherwise idle.
import { FEATURES, FeatureSet } from "@riskgate/feature-store/definitions";
import type { Checkout } from "@riskgate/feature-store/events";
import { RedisStore } from "@riskgate/feature-store/online";
import { update } from "@riskgate/feature-store/update";
import type { Redis } from "ioredis";

/** The store's script command names (redis-store.ts) and what this bench calls them. */
const SCRIPTS = { rgReadEntitiesV2: "read", rgApplyEventV2: "apply" } as const;
export type ScriptName = (typeof SCRIPTS)[keyof typeof SCRIPTS];

export interface CapturedCall {
  readonly script: ScriptName;
  /** EVALSHA's arguments after the sha: the key count, the keys, then ARGV. */
  readonly args: readonly (string | number)[];
}

/**
 * Reads each checkout's features and applies its velocity update through a RedisStore, one script
 * each: the two parts of the API's read-and-count call (read-then-apply-lua.ts runs both scripts'
 * text in one call), timed apart. Returns every script call it made, in order. The calls run for real, so the store's
 * state is the one the captured calls expect.
 */
export async function captureCheckoutCalls(
  redis: Redis,
  keyPrefix: string,
  checkouts: readonly Checkout[],
): Promise<CapturedCall[]> {
  const calls: CapturedCall[] = [];
  // The store defines its scripts on the client and calls them by name: a proxy records those calls
  // and passes everything else through. Standalone only (a cluster splits calls by slot).
  const recording = new Proxy(redis, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof prop === "string" && prop in SCRIPTS && typeof value === "function") {
        return (...args: (string | number)[]) => {
          calls.push({ script: SCRIPTS[prop as keyof typeof SCRIPTS], args });
          return value.apply(target, args);
        };
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const store = new RedisStore(recording, { keyPrefix });
  const features = new FeatureSet(FEATURES);
  for (const checkout of checkouts) {
    await store.read(features.plan(checkout, Date.parse(checkout.occurred_at)));
    await store.apply(update({ type: "checkout", ...checkout }));
  }
  return calls;
}

export interface ScriptVariant {
  readonly name: string;
  /** The Lua of each script as this variant has it. */
  readonly lua: Readonly<Record<ScriptName, string>>;
}

export interface ScriptCost {
  readonly variant: string;
  readonly script: ScriptName;
  readonly calls: number;
  /** Server µs per call (EVALSHA usec / calls), one value per round. */
  readonly usPerCall: readonly number[];
}

/**
 * Runs the captured calls of each script again under each variant's Lua, `rounds` times, 20 to a
 * pipeline, and reads the server's EVALSHA accounting around each variant's turn. The variants
 * take turns within a round, in an order rotated per round, so a slower stretch of the machine
 * falls on all of them. Reads change nothing, so every turn reads the same state. An apply is
 * deduplicated by its event id, so each turn gives its applies new ids (the id is ARGV[1]): they
 * count again, as fresh checkouts would.
 */
export async function measureScriptCost(
  redis: Redis,
  calls: readonly CapturedCall[],
  rounds: number,
  variants: readonly ScriptVariant[],
): Promise<ScriptCost[]> {
  const out: ScriptCost[] = [];
  for (const script of ["read", "apply"] as const) {
    const mine = calls.filter((c) => c.script === script);
    if (mine.length === 0) continue;
    const shas: string[] = [];
    for (const v of variants) shas.push((await redis.script("LOAD", v.lua[script])) as string);
    const usPerCall = variants.map((): number[] => []);
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < variants.length; k++) {
        const turn = (round + k) % variants.length;
        const before = await evalshaStats(redis);
        await runCalls(redis, shas[turn] as string, mine, script === "apply" ? `~${turn}r${round}` : "");
        const after = await evalshaStats(redis);
        usPerCall[turn]?.push((after.usec - before.usec) / (after.calls - before.calls));
      }
    }
    variants.forEach((v, k) => {
      out.push({ variant: v.name, script, calls: mine.length, usPerCall: usPerCall[k] as number[] });
    });
  }
  return out;
}

async function runCalls(redis: Redis, sha: string, calls: readonly CapturedCall[], idSuffix: string) {
  for (let i = 0; i < calls.length; i += 20) {
    const pipeline = redis.pipeline();
    for (const call of calls.slice(i, i + 20)) {
      const args = [...call.args];
      if (idSuffix) {
        const eventId = Number(args[0]) + 1;
        args[eventId] = `${args[eventId]}${idSuffix}`;
      }
      pipeline.evalsha(sha, ...(args as [number, ...string[]]));
    }
    for (const [err] of (await pipeline.exec()) ?? []) if (err) throw err;
  }
}

async function evalshaStats(redis: Redis): Promise<{ calls: number; usec: number }> {
  const info = await redis.info("commandstats");
  const m = /cmdstat_evalsha:calls=(\d+),usec=(\d+)/.exec(info);
  return { calls: Number(m?.[1] ?? 0), usec: Number(m?.[2] ?? 0) };
}
