import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type RulesError, RulesWatcher } from "../../src/rules/index.ts";
import { checkout, features, rulesYaml } from "./helpers.ts";

/** Callbacks turned into awaitable events, so tests wait on the watcher, not on a sleep. */
class Events {
  readonly reloads: string[] = [];
  readonly errors: RulesError[] = [];
  #waiters: (() => void)[] = [];
  onReload = (version: string) => {
    this.reloads.push(version);
    this.#wake();
  };
  onError = (err: RulesError) => {
    this.errors.push(err);
    this.#wake();
  };
  #wake() {
    for (const w of this.#waiters.splice(0)) w();
  }
  async until(pred: () => boolean, what: string, ms = 5_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}

const blockCardTesting = (version: string, threshold: string) =>
  rulesYaml(version, [
    {
      id: "R-BLOCK-CARD-TESTING",
      action: "block",
      condition: `features.instrument_failed_10m >= ${threshold}`,
    },
  ]);

const input = { features: features({ instrument_failed_10m: 2 }), checkout: checkout() };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function setup(initial: string) {
  const dir = await mkdtemp(join(tmpdir(), "riskgate-rules-"));
  const file = join(dir, "rules.yaml");
  await writeFile(file, initial);
  const events = new Events();
  const watcher = await RulesWatcher.start(file, {
    debounceMs: 20,
    onReload: events.onReload,
    onError: events.onError,
  });
  cleanups.push(
    () => watcher.close(),
    () => rm(dir, { recursive: true, force: true }),
  );
  return { dir, file, events, watcher };
}

describe("RulesWatcher", () => {
  it("picks up an edited file without a restart", async () => {
    const { file, events, watcher } = await setup(blockCardTesting("v1", "3.0"));
    expect(watcher.version).toBe("v1");
    expect(watcher.engine.evaluate(input).action).toBeUndefined();

    await writeFile(file, blockCardTesting("v2", "2.0"));
    await events.until(() => events.reloads.includes("v2"), "reload to v2");

    expect(watcher.version).toBe("v2");
    expect(watcher.engine.evaluate(input).action).toBe("block");
    expect(events.errors).toEqual([]);
  });

  it("follows an editor-style save (write a temp file, rename it over)", async () => {
    const { dir, file, events, watcher } = await setup(blockCardTesting("v1", "3.0"));
    const tmp = join(dir, ".rules.yaml.swp");
    await writeFile(tmp, blockCardTesting("v2", "2.0"));
    await rename(tmp, file);
    await events.until(() => events.reloads.includes("v2"), "reload to v2");
    // And a second save still works: the watch did not die with the replaced inode.
    await writeFile(tmp, blockCardTesting("v3", "1.0"));
    await rename(tmp, file);
    await events.until(() => events.reloads.includes("v3"), "reload to v3");
    expect(watcher.engine.evaluate(input).decidingRule).toBe("R-BLOCK-CARD-TESTING");
  });

  const invalid: { name: string; text: string; names: RegExp }[] = [
    {
      name: "bad CEL",
      text: rulesYaml("v2", [{ id: "R-BLOCK-BAD-CEL", action: "block", condition: "features.nights >=" }]),
      names: /rule R-BLOCK-BAD-CEL: condition does not parse/,
    },
    {
      name: "unknown variable",
      text: rulesYaml("v2", [{ id: "R-BLOCK-UNKNOWN-VAR", action: "block", condition: "velocity > 1.0" }]),
      names: /rule R-BLOCK-UNKNOWN-VAR: .*Unknown variable: velocity/s,
    },
    {
      name: "duplicate id",
      text: rulesYaml("v2", [
        { id: "R-BLOCK-TWICE", action: "block", condition: "features.nights > 1.0" },
        { id: "R-BLOCK-TWICE", action: "block", condition: "features.nights > 2.0" },
      ]),
      names: /rule R-BLOCK-TWICE: id used twice/,
    },
    {
      name: "YAML syntax error",
      text: "version: v2\nrules: [\n  - id: R-X\n",
      names: /YAML: .*line 3/s,
    },
  ];

  for (const c of invalid) {
    it(`keeps the last good version on an invalid file: ${c.name}`, async () => {
      const { file, events, watcher } = await setup(blockCardTesting("v1", "2.0"));
      const before = watcher.current;

      await writeFile(file, c.text);
      await events.until(() => events.errors.length > 0, "the error callback");

      expect(events.errors[0]?.message).toMatch(c.names);
      expect(events.errors[0]?.message).toContain(file);
      expect(events.reloads).toEqual([]);
      expect(watcher.current).toBe(before);
      expect(watcher.version).toBe("v1");
      expect(watcher.engine.evaluate(input).action).toBe("block");

      // Fixing the file recovers.
      await writeFile(file, blockCardTesting("v3", "5.0"));
      await events.until(() => events.reloads.includes("v3"), "reload to v3");
      expect(watcher.engine.evaluate(input).action).toBeUndefined();
    });
  }

  it("reload() re-reads on demand and says what happened", async () => {
    const { file, watcher } = await setup(blockCardTesting("v1", "3.0"));
    watcher.close(); // only explicit reloads from here on
    expect(await watcher.reload()).toMatchObject({ status: "unchanged", version: "v1" });

    await writeFile(file, blockCardTesting("v2", "2.0"));
    expect(await watcher.reload()).toMatchObject({ status: "reloaded", version: "v2" });

    await writeFile(file, "version: v3\nlists: {}\nrules: [{ id: R-BLOCK-X, action: deny }]\n");
    const rejected = await watcher.reload();
    expect(rejected).toMatchObject({ status: "rejected", version: "v2" });
    expect(rejected.status === "rejected" && rejected.error.message).toMatch(/rule R-BLOCK-X/);

    await rm(file);
    expect(await watcher.reload()).toMatchObject({ status: "rejected", version: "v2" });
    expect(watcher.engine.evaluate(input).action).toBe("block");
  });

  it("refuses to start on an invalid file (there is no last good version yet)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "riskgate-rules-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, "rules.yaml");
    await writeFile(file, rulesYaml("v1", [{ id: "R-BLOCK-A", action: "block", condition: "nope" }]));
    await expect(RulesWatcher.start(file)).rejects.toMatchObject({
      code: "rules_cel_type",
      ruleId: "R-BLOCK-A",
    });
  });
});
