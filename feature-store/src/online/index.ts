export * from "./contract.ts";
export { MemoryStore, type MemoryStoreOptions } from "./memory-store.ts";
export { readCheckoutFeatures } from "./read-features.ts";
export { RedisKeys } from "./redis-keys.ts";
export { RedisStore, type RedisStoreOptions } from "./redis-store.ts";
