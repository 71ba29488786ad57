import type { Cluster, Redis } from "ioredis";
import { keySlot } from "./key-slot.ts";

/** A standalone Redis or a Redis Cluster: the store runs the same scripts on both. */
export type RedisClient = Redis | Cluster;

type ScriptCommand = (...args: (string | number)[]) => Promise<unknown>;

/** One call of a script defined on the client: its keys first (count, then keys), then arguments. */
export interface ScriptCall {
  readonly script: string;
  readonly keys: readonly string[];
  readonly args: readonly (string | number)[];
}

/**
 * Groups key bases so each group may go to one script call: by Redis Cluster slot on a cluster
 * (a script may only touch one slot there), all together on a standalone Redis (one call is
 * cheaper for the API than several).
 */
export function groupBySlot(client: RedisClient, bases: readonly string[]): number[][] {
  if (!client.isCluster) return [bases.map((_, i) => i)];
  const groups = new Map<number, number[]>();
  bases.forEach((base, i) => {
    const slot = keySlot(base);
    const group = groups.get(slot);
    if (group) group.push(i);
    else groups.set(slot, [i]);
  });
  return [...groups.values()];
}

/**
 * Runs script calls in one pipelined round trip: one pipeline on a standalone Redis, one per
 * node (sent together) on a cluster, since an ioredis cluster pipeline goes to a single node.
 * Replies come back in call order; the first error is thrown.
 */
export async function runScripts(client: RedisClient, calls: readonly ScriptCall[]): Promise<unknown[]> {
  if (calls.length === 1) {
    const call = calls[0] as ScriptCall;
    const command = (client as unknown as Record<string, ScriptCommand>)[call.script] as ScriptCommand;
    return [await command.call(client, call.keys.length, ...call.keys, ...call.args)];
  }
  const byNode = new Map<string, number[]>();
  calls.forEach((call, i) => {
    const node = nodeOf(client, call.keys[0] as string);
    const group = byNode.get(node);
    if (group) group.push(i);
    else byNode.set(node, [i]);
  });
  const replies: unknown[] = new Array(calls.length);
  await Promise.all(
    [...byNode.values()].map(async (indices) => {
      const pipeline = client.pipeline();
      const commands = pipeline as unknown as Record<string, ScriptCommand>;
      for (const i of indices) {
        const call = calls[i] as ScriptCall;
        void (commands[call.script] as ScriptCommand).call(
          pipeline,
          call.keys.length,
          ...call.keys,
          ...call.args,
        );
      }
      const results = (await pipeline.exec()) ?? [];
      indices.forEach((callIndex, k) => {
        const [err, reply] = results[k] ?? [new Error("missing pipeline reply"), null];
        if (err) throw err;
        replies[callIndex] = reply;
      });
    }),
  );
  return replies;
}

/** The node serving a key's slot on a cluster ("" on a standalone Redis: one node). */
function nodeOf(client: RedisClient, key: string): string {
  if (!client.isCluster) return "";
  const slot = keySlot(key);
  return (client as Cluster).slots[slot]?.[0] ?? `slot:${slot}`;
}
