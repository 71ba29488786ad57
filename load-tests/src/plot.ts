// PNG of a run: latency percentiles per second (log scale) above, status codes per second below, side
// actions as vertical markers. Drawn pixel by pixel with pngjs (pure JS, no native canvas, no fonts).
import { writeFileSync } from "node:fs";
import { PNG } from "pngjs";
import { drawText, textWidth } from "./font.ts";
import type { SecondBucket } from "./results.ts";

type Rgb = readonly [number, number, number];
const W = 1200;
const H = 720;
const LEFT = 90;
const RIGHT = 30;
const COLORS = {
  axis: [60, 60, 60],
  grid: [225, 225, 225],
  p50: [31, 119, 180],
  p99: [255, 127, 14],
  max: [160, 160, 160],
  mark: [214, 39, 40],
} as const satisfies Record<string, Rgb>;
const CODE_COLORS: Rgb[] = [
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [23, 190, 207],
];

const MODE_COLORS: Rgb[] = [
  [188, 189, 34],
  [31, 119, 180],
  [127, 127, 127],
];

class Canvas {
  readonly png = new PNG({ width: W, height: H });
  constructor() {
    this.png.data.fill(255);
  }
  set = (x: number, y: number, c: Rgb = COLORS.axis) => {
    const xi = Math.round(x);
    const yi = Math.round(y);
    if (xi < 0 || yi < 0 || xi >= W || yi >= H) return;
    const i = (yi * W + xi) * 4;
    [this.png.data[i], this.png.data[i + 1], this.png.data[i + 2]] = c;
  };
  line(x0: number, y0: number, x1: number, y1: number, c: Rgb, thick = 1) {
    const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
    for (let s = 0; s <= steps; s++) {
      const x = x0 + ((x1 - x0) * s) / steps;
      const y = y0 + ((y1 - y0) * s) / steps;
      for (let t = 0; t < thick; t++) this.set(x, y + t, c);
    }
  }
  text(t: string, x: number, y: number, c: Rgb = COLORS.axis, scale = 2) {
    drawText(t, x, y, scale, (px, py) => this.set(px, py, c));
  }
}

export interface PlotInput {
  readonly title: string;
  readonly buckets: readonly SecondBucket[];
  /** Side actions, seconds from the first request. */
  readonly marks: readonly { second: number; label: string }[];
}

export function plot(file: string, input: PlotInput): void {
  const cv = new Canvas();
  const n = Math.max(1, (input.buckets.at(-1)?.second ?? 0) + 1);
  const x = (s: number) => LEFT + ((W - LEFT - RIGHT) * s) / n;
  cv.text(input.title, LEFT, 12, COLORS.axis, 3);

  // Latency panel, log10 from 0.1 ms up to the highest max, at least 100 ms.
  const [lt, lb] = [60, 400];
  const top = Math.max(100, ...input.buckets.map((b) => b.max));
  const lo = Math.log10(0.1);
  const hi = Math.log10(top);
  const y = (ms: number) => lb - ((lb - lt) * (Math.log10(Math.max(ms, 0.1)) - lo)) / (hi - lo);
  for (let d = 0.1; d <= top * 1.0001; d *= 10) {
    cv.line(LEFT, y(d), W - RIGHT, y(d), COLORS.grid);
    const label = d < 1 ? `${d.toFixed(1)}ms` : `${Math.round(d)}ms`;
    cv.text(label, LEFT - 8 - textWidth(label, 2), y(d) - 5);
  }
  for (const [key, color] of [
    ["max", COLORS.max],
    ["p99", COLORS.p99],
    ["p50", COLORS.p50],
  ] as const) {
    for (let i = 1; i < input.buckets.length; i++) {
      const a = input.buckets[i - 1] as SecondBucket;
      const b = input.buckets[i] as SecondBucket;
      cv.line(x(a.second + 0.5), y(a[key]), x(b.second + 0.5), y(b[key]), color, 2);
    }
  }
  cv.text("p50", W - RIGHT - 200, lt + 4, COLORS.p50);
  cv.text("p99", W - RIGHT - 140, lt + 4, COLORS.p99);
  cv.text("max", W - RIGHT - 80, lt + 4, COLORS.max);
  cv.line(LEFT, lt, LEFT, lb, COLORS.axis);
  cv.line(LEFT, lb, W - RIGHT, lb, COLORS.axis);

  // Status code panel: requests per second by code.
  const [st, sb] = [440, 670];
  const codes = [...new Set(input.buckets.flatMap((b) => Object.keys(b.codes)))].sort();
  const peak = Math.max(1, ...input.buckets.flatMap((b) => Object.values(b.codes)));
  const ys = (v: number) => sb - ((sb - st) * v) / peak;
  for (const frac of [0, 0.5, 1]) {
    const v = Math.round(peak * frac);
    cv.line(LEFT, ys(v), W - RIGHT, ys(v), COLORS.grid);
    cv.text(`${v}/s`, LEFT - 8 - textWidth(`${v}/s`, 2), ys(v) - 5);
  }
  codes.forEach((code, ci) => {
    const color = code === "200" ? (CODE_COLORS[0] as Rgb) : (CODE_COLORS[1 + (ci % 5)] as Rgb);
    for (let i = 1; i < input.buckets.length; i++) {
      const a = input.buckets[i - 1] as SecondBucket;
      const b = input.buckets[i] as SecondBucket;
      cv.line(x(a.second + 0.5), ys(a.codes[code] ?? 0), x(b.second + 0.5), ys(b.codes[code] ?? 0), color, 2);
    }
    cv.text(code === "0" ? "no answer" : code, LEFT + 10 + ci * 130, st - 18, color);
  });
  // Answers not decided in normal mode, dashed, on the same scale as the codes.
  const modes = [...new Set(input.buckets.flatMap((b) => Object.keys(b.modes)))]
    .filter((m) => m !== "normal")
    .sort();
  modes.forEach((mode, mi) => {
    const color = MODE_COLORS[mi % MODE_COLORS.length] as Rgb;
    for (let i = 1; i < input.buckets.length; i++) {
      const a = input.buckets[i - 1] as SecondBucket;
      const b = input.buckets[i] as SecondBucket;
      if (i % 2 === 0) continue;
      cv.line(x(a.second + 0.5), ys(a.modes[mode] ?? 0), x(b.second + 0.5), ys(b.modes[mode] ?? 0), color, 2);
    }
    cv.text(`mode ${mode} (dashed)`, W - RIGHT - 260 * (mi + 1), st - 18, color);
  });
  cv.line(LEFT, st, LEFT, sb, COLORS.axis);
  cv.line(LEFT, sb, W - RIGHT, sb, COLORS.axis);
  const tick = Math.max(1, Math.ceil(n / 12 / 5) * 5);
  for (let s = 0; s <= n; s += tick) cv.text(`${s}s`, x(s) - 8, sb + 10);

  input.marks.forEach((m, i) => {
    for (let py = lt; py < sb; py += 6) cv.line(x(m.second), py, x(m.second), py + 3, COLORS.mark);
    cv.text(m.label, x(m.second) + 4, lb + 6 + (i % 2) * 14, COLORS.mark);
  });
  writeFileSync(file, PNG.sync.write(cv.png));
}
