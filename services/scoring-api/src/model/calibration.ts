import type { Calibration } from "./manifest.ts";

/**
 * Maps the model's raw fraud probability to a calibrated one, exactly as models/training does
 * (numpy.interp for isotonic; Platt on the clipped log-odds), then keeps it inside the
 * manifest's [floor, cap] so no checkout is ever scored as certainly fraud or certainly legit.
 * Float64 throughout.
 */
export function calibrate(c: Calibration, r: number): number {
  const p = c.method === "platt" ? platt(c.a, c.b, c.eps, r) : interpolate(c.x, c.y, r);
  return Math.min(Math.max(p, c.floor ?? 0), c.cap ?? 1);
}

function platt(a: number, b: number, eps: number, r: number): number {
  const q = Math.min(Math.max(r, eps), 1 - eps);
  return 1 / (1 + Math.exp(-(a * Math.log(q / (1 - q)) + b)));
}

function interpolate(x: readonly number[], y: readonly number[], r: number): number {
  const n = x.length;
  if (r <= (x[0] as number)) return y[0] as number;
  if (r >= (x[n - 1] as number)) return y[n - 1] as number;
  // Largest i with x[i] <= r, by binary search.
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((x[mid] as number) <= r) lo = mid;
    else hi = mid;
  }
  const x0 = x[lo] as number;
  const y0 = y[lo] as number;
  return y0 + ((r - x0) * ((y[lo + 1] as number) - y0)) / ((x[lo + 1] as number) - x0);
}
