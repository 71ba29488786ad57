// Reads a Prometheus text exposition (GET /metrics) into sums per metric name with a label filter:
// enough for the scenarios' counters and gauges without a client library.

/** Sum of every sample of `name` whose labels include all of `labels`. */
export function sumMetric(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  let found = false;
  for (const line of text.split("\n")) {
    if (line.startsWith("#") || !line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const labelText = m[2] ?? "";
    if (!Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) continue;
    total += Number(m[3]);
    found = true;
  }
  return found ? total : Number.NaN;
}

export async function scrape(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return res.text();
}
