// The scoring API's real main.ts stopped the way an orchestrator stops it behind a load balancer:
// SIGTERM while keep-alive clients send checkouts and a balancer probes /readyz (real Redis and
// Kafka). The balancer takes the replica out after three failed probes, as a Kubernetes readiness
// probe does; until then, and for the whole SHUTDOWN_DRAIN_MS, every request must be answered.
import { Agent } from "node:http";
import { checkout, T0 } from "@riskgate/test-support/events";
import { createKafka, deleteTopics, waitFor } from "@riskgate/test-support/services";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  answered,
  type Outcome,
  pause,
  readyz,
  refused,
  send,
  sendInTwoHalves,
  startDrainingApi,
} from "./drain-client.ts";

const DRAIN_MS = 3_000;
const IN_FLIGHT_MS = 4_000;
// Closing Redis, Kafka and the rest after the listener, on a loaded 2-core box.
const CLOSE_BOUND_MS = 15_000;
const PROBE_PERIOD_MS = 100;
const PROBES_TO_TAKE_OUT = 3;

const kafka = createKafka("api-drain");
const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(kafka, topics);
});

const startApi = (drainMs: number) =>
  startDrainingApi({ drainMs, inFlightMs: IN_FLIGHT_MS, onTopics: (t) => topics.push(...t) });

let seq = 0;
const score = (agent?: Agent) => ({
  method: "POST" as const,
  path: "/v1/score",
  body: checkout(`drain-${process.pid}-${seq++}`, T0),
  ...(agent ? { agent } : {}),
});

interface Timed {
  readonly sentAt: number;
  readonly outcome: Outcome;
}

describe("scoring-api on SIGTERM behind a load balancer", () => {
  // One stop, observed from every side; each test below checks one part of it.
  const seen = {
    signalAt: 0,
    probes: [] as Timed[],
    traffic: [] as Timed[],
    /** Requests a balancer still sends right after taking the replica out, on new connections. */
    stragglers: {} as Record<string, Outcome>,
    listenerClosedAt: undefined as number | undefined,
    /** A request whose body was half sent before the listener closed and finished after. */
    inFlight: undefined as Outcome | undefined,
    /** A request whose body never ends, sent before the signal. */
    stalled: undefined as Outcome | undefined,
    exitCode: undefined as number | undefined,
    exitedAt: undefined as number | undefined,
  };

  beforeAll(async () => {
    const { api, port } = await startApi(DRAIN_MS);
    try {
      const stalled = sendInTwoHalves(port, "/v1/score", checkout(`drain-stalled-${process.pid}`, T0));
      void stalled.outcome.then((o) => {
        seen.stalled = o;
      });

      let inRotation = true;
      const probing = (async () => {
        let failed = 0;
        while (inRotation) {
          const sentAt = Date.now();
          const outcome = await send(port, readyz);
          seen.probes.push({ sentAt, outcome });
          failed = answered(outcome) && outcome.status === 200 ? 0 : failed + 1;
          if (failed >= PROBES_TO_TAKE_OUT) inRotation = false;
          await pause(PROBE_PERIOD_MS);
        }
      })();
      // Four clients on keep-alive connections, sending checkouts while the replica is in rotation.
      const agent = new Agent({ keepAlive: true, maxSockets: 4 });
      const client = async () => {
        while (inRotation) {
          const sentAt = Date.now();
          seen.traffic.push({ sentAt, outcome: await send(port, score(agent)) });
        }
      };
      const clients = Promise.all([client(), client(), client(), client()]);
      await waitFor(() => seen.traffic.length >= 20, { timeoutMs: 30_000, what: "checkouts answered" });

      seen.signalAt = Date.now();
      api.signal("SIGTERM");
      await probing;
      await clients;
      agent.destroy();

      seen.stragglers = {
        "GET /readyz": await send(port, readyz),
        "GET /healthz": await send(port, { method: "GET", path: "/healthz" }),
        "POST /v1/score": await send(port, score()),
      };
      const inFlight = sendInTwoHalves(port, "/v1/score", checkout(`drain-in-flight-${process.pid}`, T0));
      await waitFor(() => refused(port), {
        timeoutMs: DRAIN_MS + 10_000,
        intervalMs: 20,
        what: "the listener to close",
      }).then(
        () => {
          seen.listenerClosedAt = Date.now();
        },
        () => {},
      );
      inFlight.finish();
      seen.inFlight = await inFlight.outcome;
      const code = await Promise.race([api.exited, pause(DRAIN_MS + IN_FLIGHT_MS + CLOSE_BOUND_MS)]);
      if (typeof code === "number") {
        seen.exitCode = code;
        seen.exitedAt = Date.now();
      }
      // The stalled request settles once its connection is cut (at the latest with the process).
      await Promise.race([stalled.outcome, pause(1_000)]);
    } finally {
      await api.stop();
    }
  }, 120_000);

  it("answers /readyz 503 with the problem shutting_down once signalled", () => {
    const after = seen.probes.filter((p) => p.sentAt >= seen.signalAt);
    // Probes sent before the process handled the signal may still be 200; none after the first 503.
    const first503 = after.findIndex((p) => answered(p.outcome) && p.outcome.status === 503);
    expect(first503, JSON.stringify(after)).toBeGreaterThanOrEqual(0);
    const notReady = [...after.slice(first503).map((p) => p.outcome), seen.stragglers["GET /readyz"]];
    for (const outcome of notReady) {
      expect(outcome).toMatchObject({ status: 503 });
      expect(JSON.parse((outcome as { body: string }).body)).toMatchObject({
        ready: false,
        problems: ["shutting_down"],
      });
    }
  });

  it("answers every request of the keep-alive clients, before and after the signal", () => {
    const failed = seen.traffic.filter((t) => !answered(t.outcome) || t.outcome.status !== 200);
    expect(failed, JSON.stringify(failed.slice(0, 5))).toEqual([]);
    expect(seen.traffic.filter((t) => t.sentAt > seen.signalAt).length).toBeGreaterThan(0);
  });

  it("keeps serving every route after the balancer took it out, each answer closing its connection", () => {
    for (const [route, outcome] of Object.entries(seen.stragglers)) {
      expect(answered(outcome), `${route}: ${JSON.stringify(outcome)}`).toBe(true);
      expect((outcome as { headers: Record<string, unknown> }).headers.connection, route).toBe("close");
    }
    expect(seen.stragglers["GET /healthz"]).toMatchObject({ status: 200 });
    const scored = seen.stragglers["POST /v1/score"] as { status: number; body: string };
    expect(scored.status).toBe(200);
    expect(["allow", "review", "block"]).toContain(JSON.parse(scored.body).decision);
  });

  it("closes the listener only after the drain, and lets a request in flight then finish", () => {
    expect(seen.listenerClosedAt, "the listener never closed").toBeDefined();
    expect((seen.listenerClosedAt as number) - seen.signalAt).toBeGreaterThanOrEqual(DRAIN_MS);
    expect(seen.inFlight).toMatchObject({ status: 200 });
  });

  it("exits 0 within the drain and the in-flight bound, cutting a request that never ends", () => {
    expect(seen.exitCode).toBe(0);
    const took = (seen.exitedAt as number) - seen.signalAt;
    expect(took).toBeGreaterThanOrEqual(DRAIN_MS);
    expect(took).toBeLessThan(DRAIN_MS + IN_FLIGHT_MS + CLOSE_BOUND_MS);
    expect(seen.stalled && !answered(seen.stalled), JSON.stringify(seen.stalled)).toBe(true);
  });
});

describe("scoring-api on a second signal during the drain", () => {
  it("exits 1 at once instead of draining on", async () => {
    const drainMs = 20_000;
    const { api, port } = await startApi(drainMs);
    try {
      api.signal("SIGTERM");
      await waitFor(
        async () => {
          const outcome = await send(port, readyz);
          return answered(outcome) && outcome.status === 503;
        },
        { what: "/readyz 503 (draining)" },
      );
      api.signal("SIGTERM");
      // Far sooner than the drain's end: the second signal skips the rest of the shutdown.
      expect(await Promise.race([api.exited, pause(drainMs / 2)])).toBe(1);
    } finally {
      await api.stop();
    }
  }, 60_000);
});
