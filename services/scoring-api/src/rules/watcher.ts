import { createHash } from "node:crypto";
import { type FSWatcher, watch } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { type CompiledRuleSet, type CompileOptions, compileRuleSet } from "./compile.ts";
import { RuleEngine, type RuleEngineOptions } from "./engine.ts";
import { RulesError } from "./errors.ts";

export interface RulesWatcherOptions extends Omit<CompileOptions, "source">, RuleEngineOptions {
  /** Quiet time after the last change before reloading: editors and `kubectl` write in bursts. */
  readonly debounceMs?: number;
  /** A new version is live. */
  readonly onReload?: (version: string, set: CompiledRuleSet) => void;
  /** A change was refused (or the file could not be read); the previous version keeps running. */
  readonly onError?: (error: RulesError) => void;
}

export type ReloadResult =
  | { status: "reloaded"; version: string; hash: string }
  | { status: "unchanged"; version: string; hash: string }
  | { status: "rejected"; version: string; hash: string; error: RulesError };

/**
 * Holds the current rules and reloads them when the file changes, without a restart.
 *
 * Watches the file's directory rather than the file: editors save by writing a new file and
 * renaming it over the old one, and a Kubernetes ConfigMap mount swaps a symlink; a watch on the
 * old inode would go quiet after the first such save. Every event just triggers a debounced
 * re-read; the content hash decides whether anything changed.
 */
export class RulesWatcher {
  readonly engine: RuleEngine;
  readonly path: string;
  readonly #opts: RulesWatcherOptions;
  #fsWatcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;
  #chain: Promise<unknown> = Promise.resolve();
  #rejectedHash: string | undefined;
  #closed = false;

  private constructor(path: string, initial: CompiledRuleSet, opts: RulesWatcherOptions) {
    this.path = path;
    this.#opts = opts;
    this.engine = new RuleEngine(initial, opts);
  }

  /** Loads the file (throws RulesError: there is no last good version yet) and starts watching. */
  static async start(path: string, opts: RulesWatcherOptions = {}): Promise<RulesWatcher> {
    const text = await readText(path);
    const w = new RulesWatcher(path, compileRuleSet(text, { ...opts, source: path }), opts);
    w.#watch();
    return w;
  }

  get current(): CompiledRuleSet {
    return this.engine.ruleSet;
  }

  get version(): string {
    return this.engine.version;
  }

  /** Re-reads the file now. Reports through the callbacks too; never throws. */
  reload(): Promise<ReloadResult> {
    return this.#enqueue(true);
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#fsWatcher?.close();
    this.#fsWatcher = undefined;
  }

  #watch(): void {
    const file = basename(this.path);
    const w = watch(dirname(this.path), { persistent: false }, (_event, name) => {
      // `null` names happen on some platforms; `..data` is the ConfigMap symlink swap.
      if (name === null || name === file || name.startsWith("..")) this.#schedule();
    });
    w.on("error", (e) =>
      this.#report(new RulesError("rules_io", `${this.path}: watch failed: ${e.message}`)),
    );
    this.#fsWatcher = w;
  }

  #schedule(): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#enqueue(false), this.#opts.debounceMs ?? 100);
    this.#timer.unref();
  }

  /** Reloads run one at a time, so two quick edits cannot finish out of order. */
  #enqueue(explicit: boolean): Promise<ReloadResult> {
    const next = this.#chain.then(() => this.#reloadOnce(explicit));
    this.#chain = next.catch(() => undefined);
    return next;
  }

  async #reloadOnce(explicit: boolean): Promise<ReloadResult> {
    const cur = this.engine.ruleSet;
    let text: string;
    try {
      text = await readText(this.path);
    } catch (e) {
      const error = e as RulesError;
      this.#report(error);
      return { status: "rejected", version: cur.version, hash: cur.hash, error };
    }
    const hash = createHash("sha256").update(text).digest("hex");
    if (hash === cur.hash) {
      this.#rejectedHash = undefined;
      return { status: "unchanged", version: cur.version, hash };
    }
    try {
      const set = compileRuleSet(text, { ...this.#opts, source: this.path });
      this.engine.swap(set);
      this.#rejectedHash = undefined;
      this.#safely(() => this.#opts.onReload?.(set.version, set));
      return { status: "reloaded", version: set.version, hash: set.hash };
    } catch (e) {
      const error =
        e instanceof RulesError ? e : new RulesError("rules_schema", `${this.path}: ${(e as Error).message}`);
      // The same broken content seen again by the watcher (more fs events) is not news.
      if (explicit || hash !== this.#rejectedHash) this.#report(error);
      this.#rejectedHash = hash;
      return { status: "rejected", version: cur.version, hash: cur.hash, error };
    }
  }

  #report(error: RulesError): void {
    this.#safely(() => this.#opts.onError?.(error));
  }

  #safely(fn: () => void): void {
    try {
      fn();
    } catch {
      // Callbacks log and count; if one throws, the watcher must keep watching regardless.
    }
  }
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    throw new RulesError("rules_io", `${path}: cannot read: ${(e as Error).message}`);
  }
}
