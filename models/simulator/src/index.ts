// Public entry point of the simulator: generate a world from options.
export * from "./config.ts";
export * from "./generate.ts";
export * from "./generator-fingerprint.ts";
// Seeded draws, for tools that build traffic from a world (load-tests) and must replay it from a seed.
export { hashString, Rng } from "./rng.ts";
