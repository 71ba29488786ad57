// What feature-ingest does while the bench's steady runs: a replay of the world's events after the
// cut-off produced to the input topics at a constant rate, and the replay's freshness probe (a failed
// payment produced to Kafka, then POST /v1/features until scoring sees it). Both go through
// @riskgate/simulator/replay, so `npm run bench` and `npm run replay` measure freshness alike.
import { randomBytes } from "node:crypto";
import { type DomainEvent, topicForEventType } from "@riskgate/feature-store/events";
import { FreshnessProbe, LatencyHistogram, sendUntilAcked } from "@riskgate/simulator/replay";
import type { Producer } from "kafkajs";

const keyOf = (e: DomainEvent) => e.event_id;
const noRetryLog = () => {};

/** Produces `events` in order at `rate` per second (batches every 100 ms) until stopped or exhausted. */
export function startReplay(
  producer: Producer,
  prefix: string,
  events: readonly DomainEvent[],
  rate: number,
) {
  let next = 0;
  let produced = 0;
  let stopped = false;
  const perTick = Math.max(1, Math.round(rate / 10));
  const loop = (async () => {
    while (!stopped && next < events.length) {
      const started = Date.now();
      const batch = events.slice(next, next + perTick);
      next += batch.length;
      const messages = batch.map((e) => ({
        topic: `${prefix}${topicForEventType(e.type)}`,
        key: keyOf(e),
        value: JSON.stringify(e),
      }));
      if (!(await sendUntilAcked(producer, messages, noRetryLog, () => stopped))) break;
      produced += batch.length;
      await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - started))));
    }
  })();
  return {
    async stop(): Promise<number> {
      stopped = true;
      await loop;
      return produced;
    },
  };
}

/** One run's freshness, in ms: the samples and how far each may be late (the probe's resolution). */
export interface FreshnessSummary {
  readonly probes: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly ackedP99: number;
  readonly resolutionP99: number;
  readonly timeouts: number;
  readonly errors: number;
}

/** The replay's FreshnessProbe on the payments topic, one probe every `everyMs`. */
export function startFreshness(
  producer: Producer,
  prefix: string,
  apiUrl: string,
  apiKey: string,
  everyMs = 250,
): { stop(): Promise<FreshnessSummary> } {
  const h = {
    visible: new LatencyHistogram(),
    acked: new LatencyHistogram(),
    pollSpan: new LatencyHistogram(),
  };
  const probe = new FreshnessProbe(
    {
      apiUrl,
      key: apiKey,
      runId: randomBytes(4).toString("hex"),
      everyMs,
      now: Date.now,
      send: async (event) => {
        const message = {
          topic: `${prefix}payments`,
          key: String(event.event_id),
          value: JSON.stringify(event),
        };
        await sendUntilAcked(producer, [message], noRetryLog);
      },
    },
    h,
  );
  probe.start();
  return {
    async stop() {
      await probe.stop();
      return {
        probes: h.visible.count,
        p50: h.visible.quantile(0.5),
        p99: h.visible.quantile(0.99),
        max: h.visible.quantile(1),
        ackedP99: h.acked.quantile(0.99),
        resolutionP99: h.pollSpan.quantile(0.99),
        timeouts: probe.timeouts,
        errors: probe.errors,
      };
    },
  };
}
