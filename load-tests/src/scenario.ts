// What a scenario is: stages of constant arrival rate, side actions at fixed times, thresholds on the
// merged results and checks that need more than one number (a mode flip, a recovery, a drift).
import type { Outcome } from "./results.ts";

/** The traffic of one stage: how its bodies are drawn (bodies.ts). */
export interface Traffic {
  /** Share of checkouts sent on one card and one IP (a card-testing burst), 0-1. */
  readonly hotShare?: number;
  /** Every checkout built to be flagged for review (new account, risky patterns). */
  readonly flagged?: boolean;
}

export interface Stage {
  readonly name: string;
  /** Requests per second, constant for the whole stage (open model: vegeta does not wait for answers). */
  readonly rate: number;
  readonly seconds: number;
  readonly traffic?: Traffic;
  /** Warms the service (JIT, connections, pools) at the stage's rate; left out of every result. */
  readonly warmup?: boolean;
}

/** What a side action and a check may use; flags the user passes to the runner. */
export interface ActionContext {
  readonly baseUrl: string;
  /** The scoring-api's Prometheus endpoint (default <baseUrl>/metrics; another port with METRICS_PORT). */
  readonly metricsUrl: string;
  readonly adminKey: string | undefined;
  readonly redisControl: string | undefined;
  readonly kafkaControl: string | undefined;
  readonly ingestMetricsUrl: string | undefined;
  readonly kafkaBrokers: string | undefined;
  readonly topicPrefix: string;
  /** Records a named instant (epoch ms) for the checks, e.g. "engaged". */
  mark(name: string, atMs?: number): void;
  log(message: string): void;
}

/** The context of a run whose actions need no control: no admin key, Redis or Kafka control, ingest metrics. */
export function plainContext(
  baseUrl: string,
  o: { readonly topicPrefix: string; readonly kafkaBrokers?: string },
): Omit<ActionContext, "mark" | "log"> {
  return {
    baseUrl,
    metricsUrl: `${baseUrl}/metrics`,
    adminKey: undefined,
    redisControl: undefined,
    kafkaControl: undefined,
    kafkaBrokers: o.kafkaBrokers,
    ingestMetricsUrl: undefined,
    topicPrefix: o.topicPrefix,
  };
}

export interface SideAction {
  /** Seconds after the first stage starts (scaled with the stages by --time-scale). */
  readonly at: number;
  readonly name: string;
  run(ctx: ActionContext): Promise<void>;
}

/** A background sampler that runs for the whole scenario, e.g. reading /metrics every few seconds. */
export interface Sampler {
  readonly name: string;
  readonly everySeconds: number;
  sample(ctx: ActionContext): Promise<Record<string, number>>;
}

export interface CheckInput {
  readonly outcomes: readonly Outcome[];
  readonly marks: ReadonlyMap<string, number>;
  readonly samples: ReadonlyMap<string, readonly { atMs: number; values: Record<string, number> }[]>;
  readonly ctx: ActionContext;
}

export interface CheckResult {
  readonly name: string;
  readonly pass: boolean;
  readonly detail: string;
}

export interface Check {
  readonly name: string;
  run(input: CheckInput): Promise<CheckResult> | CheckResult;
}

export type Need = "admin-key" | "redis-control" | "kafka-control" | "kafka-brokers" | "ingest-metrics-url";

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly stages: readonly Stage[];
  readonly actions?: readonly SideAction[];
  readonly samplers?: readonly Sampler[];
  /** Threshold expressions on the merged results, e.g. "p99<10ms" (thresholds.ts). */
  readonly thresholds: readonly string[];
  readonly checks?: readonly Check[];
  /** Runner flags without which the scenario cannot run (checked before any request). */
  readonly needs?: readonly Need[];
}
