// Public entry point of the backfill: the point-in-time training table and the merged event log.
export * from "./backfill.ts";
export * from "./event-log.ts";
