import htm from "htm";
import { h } from "preact";

/** JSX-like templates without a compile step: html`<p>${x}</p>`. */
export const html = htm.bind(h);

const pad = (n: number) => String(n).padStart(2, "0");

/** A local time of day with seconds: what an operator compares with their clock. */
export function clock(iso: string | null): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** "4m 05s", "1h 02m", "-12s" (negative: past). */
export function duration(seconds: number | null): string {
  if (seconds === null) return "—";
  const sign = seconds < 0 ? "-" : "";
  const s = Math.abs(Math.round(seconds));
  if (s < 60) return `${sign}${s}s`;
  if (s < 3600) return `${sign}${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  return `${sign}${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
}

export const num = (n: number | null | undefined, digits = 1) =>
  n === null || n === undefined ? "—" : n.toFixed(digits);
export const pct = (n: number | null | undefined) =>
  n === null || n === undefined ? "—" : `${(n * 100).toFixed(1)} %`;

/** Marks that a view has drawn its first data: the console tests read these measures. */
export function markRendered(view: string): void {
  const start = performance.getEntriesByName(`nav:${view}`, "mark").at(-1)?.startTime ?? 0;
  performance.measure(`view:${view}`, { start, end: performance.now() });
}
