// An open-model HTTP load client for the overload test, run as a process of its own: a client in the
// server's process would stall with the server's event loop and send late, hiding the queue it
// should measure. Fires POST requests on a fixed schedule over keep-alive connections (a new one
// whenever all are busy), whatever the answers do, and prints one JSON line per request at the end.
// usage: node open-loop-client.ts <url> <token> <rate/s> <seconds> <bodies.json>
import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";

const [url, token, rateArg, secondsArg, bodiesFile] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
];
const rate = Number(rateArg);
const total = Math.round(rate * Number(secondsArg));
const bodies = JSON.parse(readFileSync(bodiesFile, "utf8")) as string[];
const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
const results: { i: number; sentMs: number; latencyMs: number; status: number; mode: string | null }[] = [];
let sent = 0;
let done = 0;

function fire(i: number, t0: number): void {
  const sentAt = performance.now();
  const body = bodies[i % bodies.length] as string;
  const req = request(url, {
    method: "POST",
    agent,
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${token}`,
      "content-length": Buffer.byteLength(body),
    },
  });
  req.on("response", (res) => {
    const chunks: Buffer[] = [];
    res.on("data", (c: Buffer) => chunks.push(c));
    res.on("end", () => {
      const latencyMs = performance.now() - sentAt;
      let mode: string | null = null;
      if (res.statusCode === 200)
        mode = (JSON.parse(Buffer.concat(chunks).toString()) as { mode: string }).mode;
      results.push({ i, sentMs: sentAt - t0, latencyMs, status: res.statusCode ?? 0, mode });
      finish();
    });
  });
  req.on("error", () => {
    results.push({ i, sentMs: sentAt - t0, latencyMs: performance.now() - sentAt, status: 0, mode: null });
    finish();
  });
  req.end(body);
}

function finish(): void {
  if (++done < total) return;
  agent.destroy();
  process.stdout.write(`${results.map((r) => JSON.stringify(r)).join("\n")}\n`);
}

const t0 = performance.now();
const interval = 1000 / rate;
const tick = () => {
  const due = Math.min(total, Math.floor((performance.now() - t0) / interval) + 1);
  while (sent < due) fire(sent++, t0);
  if (sent < total) setTimeout(tick, 1);
};
tick();
