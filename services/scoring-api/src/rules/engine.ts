import type { CompiledRuleSet } from "./compile.ts";
import { evaluateRuleSet, type RuleEvalError, type RuleInput, type RuleOutcome } from "./evaluate.ts";

export interface RuleEngineOptions {
  /** Called once per failing rule per evaluation (count it; the outcome's `errors` has the same). */
  onEvalError?: (error: RuleEvalError, version: string) => void;
}

/**
 * The decision pipeline's handle on the rules: evaluates against whichever version is current.
 * A watcher swaps versions underneath; an evaluation in flight keeps the version it started with.
 */
export class RuleEngine {
  #set: CompiledRuleSet;
  readonly #onEvalError: RuleEngineOptions["onEvalError"];

  constructor(set: CompiledRuleSet, opts: RuleEngineOptions = {}) {
    this.#set = set;
    this.#onEvalError = opts.onEvalError;
  }

  get version(): string {
    return this.#set.version;
  }

  get hash(): string {
    return this.#set.hash;
  }

  get ruleSet(): CompiledRuleSet {
    return this.#set;
  }

  /** Replaces the running version (the watcher calls this after a successful compile). */
  swap(set: CompiledRuleSet): void {
    this.#set = set;
  }

  evaluate(input: RuleInput): RuleOutcome {
    const set = this.#set;
    const outcome = evaluateRuleSet(set, input);
    if (outcome.errors.length > 0 && this.#onEvalError) {
      for (const err of outcome.errors) {
        try {
          this.#onEvalError(err, set.version);
        } catch {
          // A throwing metrics callback must not turn a decided checkout into a 5xx.
        }
      }
    }
    return outcome;
  }
}
