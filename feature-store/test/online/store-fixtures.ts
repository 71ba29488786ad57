// Runs a conformance suite against each online store: the in-memory one and the real Redis one
// (standalone, or the Redis Cluster in the cluster vitest project).

import { createRedis, uniquePrefix } from "@riskgate/test-support/services";
import type { OnlineStore } from "../../src/online/contract.ts";
import { MemoryStore, type MemoryStore as MemoryStoreT } from "../../src/online/memory-store.ts";
import { RedisStore } from "../../src/online/redis-store.ts";

export interface StoreFactory {
  readonly name: string;
  /** A fresh, empty store; `tooLate` counts events dropped for lateness. */
  create(): { store: OnlineStore; tooLate: () => number };
  close(): Promise<void>;
}

export function memoryFactory(): StoreFactory {
  return {
    name: "memory",
    create() {
      let n = 0;
      const store: MemoryStoreT = new MemoryStore({ onTooLate: () => n++ });
      return { store, tooLate: () => n };
    },
    close: async () => {},
  };
}

export function redisFactory(): StoreFactory {
  let client: ReturnType<typeof createRedis> | undefined;
  return {
    name: "redis",
    create() {
      client ??= createRedis();
      let n = 0;
      const store = new RedisStore(client, { keyPrefix: uniquePrefix("conformance"), onTooLate: () => n++ });
      return { store, tooLate: () => n };
    },
    close: async () => {
      await client?.quit();
    },
  };
}
