/** Decisions of a round, by `mode/decision` or status code. */
export type Counts = Record<string, number>;

/** What one measured round of cpu-per-checkout.ts cost this process (and the Redis server). */
export interface Measured {
  cpuMs: number;
  userMs: number;
  systemMs: number;
  redisMs?: number;
  decisions: Counts;
}

/** process.cpuUsage's µs as ms: total, user and system apart. */
export const cpuOf = (cpu: NodeJS.CpuUsage) => ({
  cpuMs: (cpu.user + cpu.system) / 1000,
  userMs: cpu.user / 1000,
  systemMs: cpu.system / 1000,
});
