// Acceptance: a real overload over real sockets. Every admitted checkout is made to cost 3 ms of CPU
// (a busy-wait in the rules, which degraded checkouts run too) and a client of its own process sends
// 3x what the loop can answer, opening a connection whenever its open ones are all waiting. Admission
// must shed the excess with fast 503s and keep the answers it gives from queueing. Before, both
// failed: a saturated loop runs every request of a turn in that turn, so a level read from the last
// timer ticks admitted whole turns of work; and one listening socket accepted one connection per
// turn, so new connections waited in the kernel's accept queue until it overflowed and the client's
// SYNs were retried after 1 and 3 s.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ApiHarness, startApi, TOKENS } from "@riskgate/test-support/api-harness";
import { checkout, T0 } from "@riskgate/test-support/events";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Listeners } from "../../src/listeners.ts";
import { TimerLagProbe } from "../../src/resilience/admission.ts";
import { percentile } from "./steady-load.ts";

const COST_MS = 3;
const RATE = 1000;
const SECONDS = 3;
const SHED_LAG_MS = 40;
const ACCEPT_SOCKETS = 16;

let h: ApiHarness;
let url: string;
let listeners: Listeners;

beforeAll(async () => {
  h = await startApi({
    // The timer probe main.ts uses (started when the app is ready), not a pinned one.
    lagProbe: new TimerLagProbe(10),
    env: { ADMISSION_DEGRADE_LAG_MS: "20", ADMISSION_SHED_LAG_MS: String(SHED_LAG_MS) },
  });
  const engine = h.rules.engine;
  const evaluate = engine.evaluate.bind(engine);
  engine.evaluate = (input) => {
    const until = performance.now() + COST_MS;
    while (performance.now() < until);
    return evaluate(input);
  };
  listeners = new Listeners(h.app, ACCEPT_SOCKETS);
  url = `http://127.0.0.1:${await listeners.listen(0, "127.0.0.1")}/v1/score`;
});
afterAll(async () => {
  await listeners?.close();
  await h?.close();
});

interface Result {
  readonly sentMs: number;
  readonly latencyMs: number;
  readonly status: number;
  readonly mode: string | null;
}

async function overload(): Promise<Result[]> {
  const dir = await mkdtemp(join(tmpdir(), "overload-"));
  try {
    const bodies = join(dir, "bodies.json");
    const n = RATE * SECONDS;
    await writeFile(
      bodies,
      JSON.stringify(Array.from({ length: n }, (_, i) => JSON.stringify(checkout(`ovl-${i}`, T0)))),
    );
    const child = spawn(
      process.execPath,
      [
        join(import.meta.dirname, "open-loop-client.ts"),
        url,
        TOKENS.score,
        String(RATE),
        String(SECONDS),
        bodies,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    const [code] = (await once(child, "exit")) as [number];
    expect(code).toBe(0);
    return out
      .split("\n")
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as Result);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

it("sheds the excess with fast 503s, and the answers it gives do not queue", {
  timeout: 60_000,
}, async () => {
  const results = await overload();
  const p99 = (rs: Result[]) =>
    percentile(
      rs.map((r) => r.latencyMs),
      99,
    );
  // The first half second is the loop's first late ticks (one late tick is not overload).
  const measured = results.filter((r) => r.sentMs >= 500);
  const answered = measured.filter((r) => r.status === 200);
  const shed = measured.filter((r) => r.status === 503);
  const summary = {
    requests: measured.length,
    answered: answered.length,
    shed: shed.length,
    answeredP50: percentile(
      answered.map((r) => r.latencyMs),
      50,
    ),
    answeredP99: p99(answered),
    shedP99: p99(shed),
  };
  console.log(JSON.stringify(summary));
  // No answer lost: every request is answered or shed.
  expect(results.every((r) => r.status === 200 || r.status === 503)).toBe(true);
  // 3x over capacity: at least half is shed, and the loop still answers about what it can.
  expect(shed.length).toBeGreaterThan(measured.length / 2);
  expect(answered.length).toBeGreaterThan(measured.length / 10);
  // A turn admits work for about SHED_LAG_MS past its tick, so an answer waits at most about two
  // turns (the one it arrived in and the one that runs it); a 503 as long. Before: seconds.
  const bound = 4 * SHED_LAG_MS;
  expect(summary.answeredP99).toBeLessThan(bound);
  expect(summary.shedP99).toBeLessThan(bound);
});
