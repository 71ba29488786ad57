/**
 * Gauss–Legendre rule on [0, 1] with m points (exact for polynomials of degree <= 2m - 1): Newton
 * on the Legendre polynomial P_m from the usual cosine guesses, converged to machine precision.
 */
export function gaussLegendre(m: number): { t: Float64Array; w: Float64Array } {
  const t = new Float64Array(m);
  const w = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (m + 0.5));
    let dp = 1;
    for (let iter = 0; iter < 100; iter++) {
      let p0 = 1;
      let p1 = x;
      for (let j = 2; j <= m; j++) {
        const p2 = ((2 * j - 1) * x * p1 - (j - 1) * p0) / j;
        p0 = p1;
        p1 = p2;
      }
      if (m === 1) p0 = 1;
      dp = (m * (x * p1 - p0)) / (x * x - 1);
      const dx = p1 / dp;
      x -= dx;
      if (Math.abs(dx) <= 1e-16) break;
    }
    t[i] = (1 + x) / 2;
    w[i] = 1 / ((1 - x * x) * dp * dp); // 2 / ((1 - x²) P'(x)²), halved for [0, 1]
  }
  return { t, w };
}
