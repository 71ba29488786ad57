export type { CompiledRule, CompiledRuleSet, CompileOptions } from "./compile.ts";
export { compileRuleSet, loadRules } from "./compile.ts";
export { RuleEngine, type RuleEngineOptions } from "./engine.ts";
export { RulesError, type RulesErrorCode } from "./errors.ts";
export type { FiredRule, RuleEvalError, RuleInput, RuleOutcome } from "./evaluate.ts";
export { evaluateRuleSet } from "./evaluate.ts";
export type { Action, Status } from "./schema.ts";
export { type ReloadResult, RulesWatcher, type RulesWatcherOptions } from "./watcher.ts";
