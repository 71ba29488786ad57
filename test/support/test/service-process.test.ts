import { describe, expect, it } from "vitest";
import { ServiceProcess } from "../service-process.ts";

describe("ServiceProcess", () => {
  it("keeps lines that are not JSON as raw text, still found by the log message they carry", async () => {
    const child = new ServiceProcess("test/support/test/fixtures/garbled-log.ts", {});
    try {
      await child.waitForLog("done", 30_000);
      expect(child.logged("before")).toEqual([{ level: 30, msg: "before" }]);
      // A line cut short: kept whole, found by its message.
      const [cut] = child.logged("kafkajs debug");
      expect(cut?.raw).toMatch(/^\{"level":20,"msg":"kafkajs debug","payload":"x{70000}$/);
      // Two lines interleaved: the inner one's message finds it.
      const [interleaved] = child.logged("consuming");
      expect(interleaved?.raw).toContain('{"level":30,"msg":"consuming","topics":["a"]}');
      expect(child.logged(/^second part$/)).toEqual([{ raw: 'ing the rest","msg":"second part"}' }]);
      // A character cut between two writes is decoded whole: the line is JSON.
      expect(child.logged("über → split")).toEqual([{ level: 30, msg: "über → split" }]);
      expect(child.lines.filter((l) => l.raw !== undefined)).toHaveLength(3);
    } finally {
      expect(await child.stop()).toBe(0);
    }
  });
});
