import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { checkout, T0 } from "@riskgate/test-support/events";
import { redisUrl, uniquePrefix } from "@riskgate/test-support/services";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const KEY = "score-key-0123456789abcdef";

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

function childrenOf(pid: number): number[] {
  return readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return Number(readFileSync(`/proc/${d}/stat`, "utf8").split(") ")[1]?.split(" ")[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Sum of the samples whose line starts with `metric` (a name, or a name and leading labels). */
const sum = (text: string, metric: string) =>
  text
    .split("\n")
    .filter((l) => l.startsWith(metric))
    .reduce((s, l) => s + Number(l.split(" ").at(-1)), 0);

describe("SCORING_WORKERS=2 (node:cluster)", () => {
  let primary: ChildProcess;
  let base: string;
  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // Workers share their state through Redis (config.ts refuses them without); no Kafka: what is
    // under test is the process model.
    const { KAFKA_BROKERS: _k, ...env } = process.env;
    primary = spawn(process.execPath, ["services/scoring-api/src/main.ts"], {
      env: {
        ...env,
        REDIS_URL: redisUrl(),
        REDIS_KEY_PREFIX: uniquePrefix("api-workers"),
        PORT: String(port),
        SCORING_WORKERS: "2",
        RISKGATE_API_KEYS: `score:${KEY}`,
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "ignore", "inherit"],
    });
    // Ready when the aggregated metrics count a loaded champion in each of the two workers.
    for (let i = 0; ; i++) {
      const text = await fetch(`${base}/metrics`, { headers: { connection: "close" } }).then(
        (r) => (r.ok ? r.text() : ""),
        () => "",
      );
      if (sum(text, 'riskgate_model_info{role="champion"') === 2) break;
      if (i > 600) throw new Error("the workers never became ready");
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  afterAll(async () => {
    if (primary.exitCode === null) {
      const exited = new Promise((r) => primary.once("exit", r));
      primary.kill("SIGTERM");
      await exited;
    }
  });

  it("serves the port from two worker processes", () => {
    expect(childrenOf(primary.pid as number)).toHaveLength(2);
  });

  it("answers /metrics with the sum over the workers, whichever worker serves the scrape", async () => {
    const n = 40;
    for (let i = 0; i < n; i++) {
      // A new connection each: the primary hands connections to the workers in turn.
      const res = await fetch(`${base}/v1/score`, {
        method: "POST",
        headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json", connection: "close" },
        body: JSON.stringify(checkout(`wk-${i}`, T0)),
      });
      expect(res.status).toBe(200);
    }
    for (let i = 0; i < 4; i++) {
      const text = await fetch(`${base}/metrics`, { headers: { connection: "close" } }).then((r) => r.text());
      expect(sum(text, "riskgate_decisions_total{")).toBe(n);
    }
  });

  it("stops every worker and exits 0 on SIGTERM", async () => {
    const workers = childrenOf(primary.pid as number);
    const exited = new Promise<number | null>((r) => primary.once("exit", (code) => r(code)));
    primary.kill("SIGTERM");
    expect(await exited).toBe(0);
    for (const pid of workers) expect(() => process.kill(pid, 0)).toThrow();
  });
});
