// The runner end to end with the real vegeta against a stand-in for the API on a local port: stages,
// a side action, thresholds and checks, the PNG, and the CLI's exit code.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BodyFactory } from "../src/bodies.ts";
import { settles } from "../src/checks.ts";
import { runScenario } from "../src/runner.ts";
import { plainContext } from "../src/scenario.ts";
import { mergeThresholds } from "../src/thresholds.ts";
import { vegetaPath } from "../src/vegeta.ts";

const REPO = resolve(import.meta.dirname, "../..");
let server: Server;
let baseUrl: string;
let mode = "normal";
let delayMs = 0;
const seen: string[] = [];
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "riskgate-load-"));
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => {
      body += d.toString();
    });
    req.on("end", () => {
      if (req.url === "/v1/score") seen.push(JSON.parse(body).event_id);
      setTimeout(() => {
        res.setHeader("content-type", "application/json");
        res.end(req.url === "/readyz" ? '{"ready":true}' : JSON.stringify({ decision: "allow", mode }));
      }, delayMs);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.close();
  await rm(dir, { recursive: true, force: true });
});

const factory = new BodyFactory(
  {
    legit: [JSON.parse(await readFile(join(import.meta.dirname, "fixtures/checkout.json"), "utf8"))],
    fraud: [JSON.parse(await readFile(join(import.meta.dirname, "fixtures/checkout.json"), "utf8"))],
  },
  "t",
);

describe("runScenario", () => {
  it("drives each stage at its rate, runs side actions on the same clock, checks and plots", async () => {
    mode = "normal";
    delayMs = 0;
    seen.length = 0;
    const result = await runScenario({
      scenario: {
        name: "flip",
        description: "test",
        stages: [
          { name: "warm", rate: 20, seconds: 1, warmup: true },
          { name: "one", rate: 50, seconds: 2 },
          { name: "two", rate: 100, seconds: 1 },
        ],
        actions: [
          {
            at: 2,
            name: "flip",
            run: async (ctx) => {
              mode = "rules_only";
              ctx.mark("flipped");
            },
          },
        ],
        thresholds: [],
        checks: [
          settles({
            name: "flips",
            after: "flipped",
            withinMs: 100,
            want: "rules_only",
            predicate: (o) => o.mode === "rules_only",
          }),
        ],
      },
      baseUrl,
      apiKey: "k",
      thresholds: mergeThresholds(["errors=0", "dropped=0", "p99<1us"], []),
      body: () => factory.next(),
      vegeta: vegetaPath(),
      outDir: dir,
      scale: 1,
      timeScale: 1,
      maxWorkers: 100,
      timeoutSeconds: 2,
      ctx: plainContext(baseUrl, { topicPrefix: "t." }),
      keepResults: false,
      log: () => {},
    });
    expect(Object.keys(result.perStage)).toEqual(["one", "two"]);
    // vegeta sends a stage's requests on time unless the box starves it, and what it could not send
    // is counted as dropped: a busy CI box once left one out. Each stage accounts for its plan.
    const one = result.perStage.one;
    const two = result.perStage.two;
    if (!one || !two) throw new Error("both stages reported");
    for (const stage of [one, two]) {
      expect(stage.requests + stage.dropped).toBe(100);
      expect(stage.dropped).toBeLessThanOrEqual(2);
    }
    expect(result.summary.codes).toEqual({ "200": one.requests + two.requests });
    // every request has an event id of its own; the warm-up's 20 are answered too, and never reported
    const warmUp = new Set(seen).size - one.requests - two.requests;
    expect(warmUp).toBeGreaterThanOrEqual(18);
    expect(warmUp).toBeLessThanOrEqual(20);
    expect(result.checks).toEqual([expect.objectContaining({ name: "flips", pass: true })]);
    expect(result.verdicts.map((v) => [v.threshold.text, v.pass])).toEqual([
      ["errors=0", true],
      ["dropped=0", result.summary.dropped === 0],
      ["p99<1us", false],
    ]);
    expect(result.pass).toBe(false);
    const png = await readFile(result.plotFile);
    expect(png.subarray(1, 4).toString()).toBe("PNG");
  });

  it("the CLI exits 1 when a threshold misses and 0 when all pass", async () => {
    mode = "normal";
    delayMs = 15;
    const cli = async (...extra: string[]) => {
      const child = spawn(
        process.execPath,
        [
          "load-tests/src/cli.ts",
          "steady",
          "--base-url",
          baseUrl,
          "--api-key",
          "k",
          "--scale",
          "0.05",
          "--time-scale",
          "0.03",
          "--out",
          dir,
          ...extra,
        ],
        { cwd: REPO, stdio: ["ignore", "pipe", "inherit"] },
      );
      let out = "";
      child.stdout?.on("data", (d: Buffer) => {
        out += d.toString();
      });
      const [code] = (await once(child, "exit")) as [number];
      return { code, out };
    };
    const strict = await cli();
    expect(strict.out).toMatch(/FAIL threshold p99<10ms/);
    expect(strict.out).toMatch(/VERDICT steady: FAIL/);
    expect(strict.code).toBe(1);
    const loose = await cli("--threshold", "p99<2s", "--threshold", "p99.9<2s");
    expect(loose.out).toMatch(/VERDICT steady: PASS/);
    expect(loose.code).toBe(0);
  }, 120_000);
});
