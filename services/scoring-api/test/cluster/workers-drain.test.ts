// SCORING_WORKERS=2 stopped by an orchestrator: the primary passes SIGTERM on, and every worker
// drains the way one process does (drain.test.ts): /readyz 503 shutting_down while it keeps
// scoring, the port open until the drain ends, then a clean exit. Real Redis and Kafka.
import { checkout, T0 } from "@riskgate/test-support/events";
import { createKafka, deleteTopics, waitFor } from "@riskgate/test-support/services";
import { afterAll, describe, expect, it } from "vitest";
import { type Outcome, pause, readyz, refused, send, startDrainingApi } from "../drain-client.ts";

const DRAIN_MS = 4_000;
const IN_FLIGHT_MS = 4_000;
// Closing Redis, Kafka and the rest in each worker after its listener, on a loaded 2-core box.
const CLOSE_BOUND_MS = 15_000;

const kafka = createKafka("api-drain-workers");
const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(kafka, topics);
});

describe("SCORING_WORKERS=2 on SIGTERM", () => {
  it("drains every worker: /readyz 503 shutting_down, checkouts still scored, exit 0 after the drain", async () => {
    const { api, port } = await startDrainingApi({
      drainMs: DRAIN_MS,
      inFlightMs: IN_FLIGHT_MS,
      workers: 2,
      onTopics: (t) => topics.push(...t),
    });
    try {
      const signalAt = Date.now();
      api.signal("SIGTERM");
      await waitFor(() => api.logged(/^draining/).length === 2, { what: "both workers draining" });

      // A new connection per request, and two of each kind in a row: the primary hands connections
      // to the workers in turn, so each worker gets its share of both.
      const probes: Outcome[] = [];
      const scores: Outcome[] = [];
      for (let i = 0; i < 4; i++) {
        probes.push(await send(port, readyz), await send(port, readyz));
        for (const n of [0, 1]) {
          const body = checkout(`drain-workers-${process.pid}-${i}-${n}`, T0);
          scores.push(await send(port, { method: "POST", path: "/v1/score", body }));
        }
      }
      for (const p of probes) {
        expect(p).toMatchObject({ status: 503 });
        expect(JSON.parse((p as { body: string }).body)).toMatchObject({ problems: ["shutting_down"] });
      }
      for (const s of scores) expect(s, JSON.stringify(s)).toMatchObject({ status: 200 });

      await waitFor(() => refused(port), {
        timeoutMs: DRAIN_MS + 10_000,
        intervalMs: 20,
        what: "the port to close",
      });
      expect(Date.now() - signalAt).toBeGreaterThanOrEqual(DRAIN_MS);
      expect(await Promise.race([api.exited, pause(IN_FLIGHT_MS + CLOSE_BOUND_MS)])).toBe(0);
    } finally {
      await api.stop();
    }
  }, 120_000);

  it("passes a second SIGTERM on: every worker stops draining and the primary exits 1 at once", async () => {
    const drainMs = 30_000;
    const { api } = await startDrainingApi({
      drainMs,
      inFlightMs: IN_FLIGHT_MS,
      workers: 2,
      onTopics: (t) => topics.push(...t),
    });
    try {
      api.signal("SIGTERM");
      await waitFor(() => api.logged(/^draining/).length === 2, { what: "both workers draining" });
      api.signal("SIGTERM");
      // Far sooner than the drain's end: each worker skips the rest of its shutdown.
      expect(await Promise.race([api.exited, pause(drainMs / 2)])).toBe(1);
    } finally {
      await api.stop();
    }
  }, 120_000);
});
