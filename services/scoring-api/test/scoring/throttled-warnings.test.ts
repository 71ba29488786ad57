import { Writable } from "node:stream";
import { AppError } from "@riskgate/common/errors";
import { createLogger } from "@riskgate/common/logger";
import { describe, expect, it } from "vitest";
import { throttledWarnings } from "../../src/scoring/throttled-warnings.ts";

function captureLogs() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { lines, logger: createLogger({ level: "info", service: "scoring-api" }, stream) };
}

describe("throttledWarnings", () => {
  it("logs the first of a burst, then one line per interval carrying how many were left out", () => {
    const { lines, logger } = captureLogs();
    let t = 0;
    const { warn } = throttledWarnings(logger, { intervalMs: 10_000, now: () => t });
    const err = new AppError("timeout", "feature read took longer than 50 ms");
    // 1,000 degraded checkouts over 25 s, one every 25 ms.
    for (let i = 0; i < 1000; i++, t += 25)
      warn("dependency:features", { dependency: "features", err }, "scoring degraded");

    expect(lines.map((l) => [l.msg, l.dependency, l.suppressed])).toEqual([
      ["scoring degraded", "features", undefined],
      ["scoring degraded", "features", 399],
      ["scoring degraded", "features", 399],
    ]);
    expect(lines[0]).toMatchObject({ level: 40, err: { code: "timeout", message: err.message } });
    // The 199 after the last line are counted in the next one.
    t += 10_000;
    warn("dependency:features", { dependency: "features", err }, "scoring degraded");
    expect(lines.at(-1)).toMatchObject({ suppressed: 199 });
    expect(lines).toHaveLength(4);
  });

  it("throttles each key on its own", () => {
    const { lines, logger } = captureLogs();
    const { warn } = throttledWarnings(logger, { intervalMs: 10_000, now: () => 0 });
    for (let i = 0; i < 50; i++) {
      warn("dependency:features", { dependency: "features" }, "scoring degraded");
      warn(
        "step:review_queue",
        { step: "review_queue" },
        "side effect failed; the decision was still served",
      );
    }
    expect(lines.map((l) => l.dependency ?? l.step)).toEqual(["features", "review_queue"]);
  });

  it("flush (the shutdown) logs one line per key with what was left out since its last line, once", () => {
    const { lines, logger } = captureLogs();
    let t = 0;
    const { warn, flush } = throttledWarnings(logger, { intervalMs: 10_000, now: () => t });
    for (let i = 0; i < 30; i++, t += 100) {
      warn("dependency:features", { dependency: "features", attempt: i }, "scoring degraded");
      if (i < 10) warn("step:review_queue", { step: "review_queue" }, "side effect failed");
    }
    // Logged once and nothing left out: nothing to report for it.
    warn("dependency:model", { dependency: "model" }, "scoring degraded");
    expect(lines).toHaveLength(3);

    // Failures stopped inside the window: the counts were only in the metric until now.
    flush();
    expect(lines.slice(3).map((l) => [l.msg, l.dependency ?? l.step, l.suppressed, l.attempt])).toEqual([
      ["scoring degraded", "features", 29, 29],
      ["side effect failed", "review_queue", 9, undefined],
    ]);
    expect(lines[3]).toMatchObject({ level: 40 });
    flush();
    expect(lines).toHaveLength(5);
    // The next line after a flush counts only what came after it.
    warn("dependency:features", { dependency: "features" }, "scoring degraded");
    t += 10_000;
    warn("dependency:features", { dependency: "features" }, "scoring degraded");
    expect(lines.at(-1)).toMatchObject({ dependency: "features", suppressed: 1 });
  });
});
