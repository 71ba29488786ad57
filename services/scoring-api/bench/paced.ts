// Open-loop arrivals in process, for cpu-per-checkout.ts: a constant rate that does not wait for
// answers, as load-client.ts sends over a socket.

/** `send(0)` … `send(count - 1)` at `rate` per second from now, each on time whatever the others do. */
export function paced(count: number, rate: number, send: (i: number) => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const start = performance.now();
    let next = 0;
    let settled = 0;
    const settle = () => {
      if (++settled === count) resolve();
    };
    const tick = () => {
      const now = performance.now();
      for (; next < count && start + (next * 1000) / rate <= now; next++) void send(next).then(settle);
      if (next < count) setTimeout(tick, Math.max(0, start + (next * 1000) / rate - now));
    };
    tick();
  });
}
