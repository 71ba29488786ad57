import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { procTreeStat } from "../../bench/stack.ts";

// A parent that only waits, with a child that burns CPU: what node:cluster's primary and its
// workers look like to the bench.
const BURN = "const end = Date.now() + 600; while (Date.now() < end);";
const PARENT = `
const { spawn } = require("node:child_process");
const child = spawn(process.execPath, ["-e", ${JSON.stringify(BURN)}], { stdio: "ignore" });
console.log("started");
child.on("exit", () => { console.log("burnt"); setTimeout(() => {}, 5000); });
`;

describe("procTreeStat", () => {
  it("counts the CPU of a process's children with its own", async () => {
    const parent = spawn(process.execPath, ["-e", PARENT], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      const lines: string[] = [];
      parent.stdout.setEncoding("utf8").on("data", (d: string) => lines.push(...d.trim().split("\n")));
      while (!lines.includes("started")) await once(parent.stdout, "data");
      const before = procTreeStat(parent.pid as number);
      // Read while the child still runs: a reaped child's CPU is no longer the tree's.
      await new Promise((r) => setTimeout(r, 450));
      const during = procTreeStat(parent.pid as number);
      expect(during.cpuSeconds - before.cpuSeconds).toBeGreaterThan(0.2);
      // Two processes' resident sets, each a Node.js runtime of tens of MiB.
      expect(during.rssBytes).toBeGreaterThan(2 * 20 * 2 ** 20);
    } finally {
      parent.kill("SIGKILL");
    }
  });

  it("refuses a process that does not exist", () => {
    expect(() => procTreeStat(2 ** 22 + 1)).toThrow(/no process/);
  });
});
