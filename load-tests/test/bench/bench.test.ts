import { spawn } from "node:child_process";
import { once } from "node:events";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const REPO = resolve(import.meta.dirname, "../../..");

describe("npm run bench -- --help", () => {
  it("prints the usage and exits 0 without starting anything or needing Redis and Kafka", async () => {
    const child = spawn(process.execPath, ["load-tests/bench/bench.ts", "--help"], {
      cwd: REPO,
      env: { ...process.env, REDIS_URL: "", KAFKA_BROKERS: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr?.on("data", (d: Buffer) => {
      err += d.toString();
    });
    const [code] = (await once(child, "exit")) as [number];
    expect({ code, err }).toEqual({ code: 0, err: "" });
    expect(out).toMatch(/^usage: REDIS_URL=… KAFKA_BROKERS=… npm run bench -- \[--rate 1000\]/);
    expect(out).toContain("--workers 1,2");
  });
});
