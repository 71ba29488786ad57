// Public entry point of the online store: its contract, the two implementations and the checkout read.
export * from "./contract.ts";
export * from "./memory-store.ts";
export * from "./read-features.ts";
export * from "./redis-store.ts";
