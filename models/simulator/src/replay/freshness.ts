import { performance } from "node:perf_hooks";
import { setTimeout as delay } from "node:timers/promises";
import type { LatencyHistogram } from "./histogram.ts";

export interface ProbeOptions {
  readonly apiUrl: string;
  readonly key: string;
  /** Unique per run: the probe's own user, card and device, which no world event touches. */
  readonly runId: string;
  readonly everyMs: number;
  /** Produces one event to the payments topic and resolves once the broker acknowledged it. */
  send(event: Record<string, unknown>): Promise<void>;
  now(): number;
}

/** What the probe records, each in a bounded histogram. */
export interface ProbeHistograms {
  /** Produce call → the first answer of POST /v1/features that counts the event: one sample. */
  readonly visible: LatencyHistogram;
  /** Produce call → the broker's acknowledgement: the Kafka share of each sample. */
  readonly acked: LatencyHistogram;
  /**
   * Start of the last poll that did not see the event → the answer that did: the event became
   * visible somewhere in that span, so each sample is late by up to this much (the probe's resolution).
   */
  readonly pollSpan: LatencyHistogram;
}

const VISIBLE_WITHIN_MS = 10_000;
const POLL_MS = 1;
/**
 * Polls are spaced by at least this share of the time waited so far: each sample stays within ~5 %
 * (plus a poll's round trip) of when the event became visible, and a probe costs at most ~150
 * reads. Polling every millisecond regardless, a slow pipeline drew up to 1,000 reads/s from the API
 * being measured, which slowed it further.
 */
const POLL_SHARE = 0.05;

/**
 * Event → visible to scoring, measured the way a checkout would see it: a failed payment for the
 * probe's card goes to Kafka, then POST /v1/features is asked (every millisecond at first) for a
 * checkout with that card until its failed-payment count includes the new one. The time from just
 * before the produce to the answer that shows it is one sample. Probe entities are the run's own, so
 * they never change what the world's checkouts are scored with. A 503 (the feature store did not
 * answer within scoring's budget) means "not visible to scoring yet": the probe keeps asking.
 */
export class FreshnessProbe {
  private readonly o: ProbeOptions;
  private readonly h: ProbeHistograms;
  private sent = 0;
  /** Probes not visible within VISIBLE_WITHIN_MS, and probes the produce or the API failed. */
  timeouts = 0;
  errors = 0;
  /** Answers 503 while polling: the feature store was unavailable to scoring at that moment. */
  unavailable = 0;
  lastError: string | undefined;
  private running = true;
  private loop: Promise<void> | undefined;

  constructor(options: ProbeOptions, histograms: ProbeHistograms) {
    this.o = options;
    this.h = histograms;
  }

  get produced(): number {
    return this.sent;
  }

  start(): void {
    this.loop = (async () => {
      while (this.running) {
        await this.probeOnce().catch((err: unknown) => {
          this.errors++;
          this.lastError = err instanceof Error ? err.message : String(err);
        });
        if (this.running) await delay(this.o.everyMs);
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async probeOnce(): Promise<void> {
    const n = this.sent + 1;
    const at = new Date(this.o.now()).toISOString();
    const started = performance.now();
    await this.o.send({
      type: "payment_attempt",
      event_id: `probe-${this.o.runId}-${n}`,
      occurred_at: at,
      user_id: `probe-u-${this.o.runId}`,
      payment_instrument_id: `probe-pi-${this.o.runId}`,
      amount: 1,
      currency: "EUR",
      status: "failed",
      failure_code: "probe",
    });
    this.h.acked.record(performance.now() - started);
    this.sent = n;
    let lastMiss = started;
    while (performance.now() - started < VISIBLE_WITHIN_MS) {
      const asked = performance.now();
      if ((await this.failedCount(n)) >= n) {
        const seen = performance.now();
        this.h.visible.record(seen - started);
        this.h.pollSpan.record(seen - lastMiss);
        return;
      }
      lastMiss = asked;
      await delay(Math.max(POLL_MS, (performance.now() - started) * POLL_SHARE));
    }
    this.timeouts++;
  }

  /** The probe card's failed payments as scoring would read them now; -1 while the store is unavailable. */
  private async failedCount(n: number): Promise<number> {
    const now = this.o.now();
    const res = await fetch(`${this.o.apiUrl}/v1/features`, {
      method: "POST",
      headers: { authorization: `Bearer ${this.o.key}`, "content-type": "application/json" },
      body: JSON.stringify(probeCheckout(this.o.runId, n, now)),
    });
    if (res.status === 503) {
      await res.body?.cancel();
      this.unavailable++;
      return -1;
    }
    if (res.status !== 200) throw new Error(`POST /v1/features answered ${res.status}`);
    const body = (await res.json()) as { features: Record<string, number> };
    return body.features.instrument_failed_24h ?? 0;
  }
}

/** A checkout with the probe's card, at `now`: what POST /v1/features reads the probe through. */
export function probeCheckout(runId: string, n: number, now: number): Record<string, unknown> {
  return {
    event_id: `probe-co-${runId}-${n}`,
    occurred_at: new Date(now).toISOString(),
    user: {
      id: `probe-u-${runId}`,
      created_at: "2025-01-01T00:00:00.000Z",
      email_domain: "example.com",
      email_verified: true,
    },
    device: { id: `probe-d-${runId}`, ip: "203.0.113.7", ip_country: "PT" },
    payment: {
      instrument_id: `probe-pi-${runId}`,
      type: "card",
      bin: "424242",
      country: "PT",
      billing_country: "PT",
    },
    listing: { id: `probe-l-${runId}`, host_id: `probe-h-${runId}`, country: "PT" },
    booking: {
      amount: 100,
      currency: "EUR",
      nights: 1,
      checkin_at: new Date(now + 30 * 86_400_000).toISOString(),
    },
    message: { text: "freshness probe" },
  };
}
