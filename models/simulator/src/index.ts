// Public entry point of the simulator: generate a world from options.
export * from "./config.ts";
export * from "./generate.ts";
export * from "./generator-fingerprint.ts";
