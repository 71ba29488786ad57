// CPU and wall clocks shared by the level benches (bench:store, bench:api-levels), and the
// rounding their tables print.

/** This process's CPU time (user + system) in µs. */
export function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** Wall and CPU seconds since it was made, for the log: how long a full run takes, and why. */
export function stopwatch(): () => string {
  const t0 = performance.now();
  const c0 = cpuMicros();
  return () =>
    `${((performance.now() - t0) / 1000).toFixed(1)} s (${((cpuMicros() - c0) / 1e6).toFixed(1)} s CPU)`;
}

export const us = (v: number) => Math.round(v * 10) / 10;
export const ratio = (v: number) => Math.round(v * 100) / 100;
