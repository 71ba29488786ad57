import type { Calibration } from "./manifest.ts";

/**
 * Maps the model's raw fraud probability to a calibrated one, exactly as models/training does
 * (numpy.interp for isotonic; Platt on the clipped log-odds). Float64 throughout.
 */
export function calibrate(c: Calibration, r: number): number {
  if (c.method === "platt") {
    const q = Math.min(Math.max(r, c.eps), 1 - c.eps);
    return 1 / (1 + Math.exp(-(c.a * Math.log(q / (1 - q)) + c.b)));
  }
  const { x, y } = c;
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
