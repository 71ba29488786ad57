// Acceptance: one master of a 3-master Redis Cluster dies while checkouts flow. The cluster is this
// test's own (OwnCluster: not the shared dev cluster); the API is built exactly like main.ts's over a
// `redis+cluster://` REDIS_URL (composeScoringApi over createRedisClient's fail-fast Cluster client).
// The master is SIGKILLed mid-stream and restarted from its nodes.conf (its data is gone: persistence
// is off, as in the dev cluster).
//
// What the service does, asserted: every answer is 200; answers during the loss are degraded
// (rules on request-time data, no score) for the checkouts whose feature read touched the dead
// master, and for all of them while the Redis circuit breaker is open (it opens when more than half
// of the recent reads fail, which a third of the slots failing does for a checkout reading six
// entities); /readyz stays 200 and names the dead master; after the restart answers are normal
// again within seconds and /readyz is clean. The shares of degraded answers are printed.

import { type ApiHarness, startApi } from "@riskgate/test-support/api-harness";
import { checkout, T0 } from "@riskgate/test-support/events";
import { redisReady, waitFor } from "@riskgate/test-support/services";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OwnCluster } from "./own-cluster.ts";
import { probeMode, SteadyLoad, summary } from "./steady-load.ts";

const RATE = 50; // checkouts per second
const OUTAGE_SAMPLES = 150; // ~3 s with one master down

let cluster: OwnCluster;
let h: ApiHarness;

beforeAll(async () => {
  cluster = await OwnCluster.start();
  h = await startApi({ redisUrl: cluster.url });
  if (h.redis) await redisReady(h.redis);
}, 60_000);

afterAll(async () => {
  await h?.close().catch(() => h.redis?.disconnect());
  await cluster?.close();
});

const readyz = async () => {
  const res = await h.app.inject({ method: "GET", url: "/readyz" });
  return { status: res.statusCode, body: res.json() as { ready: boolean; degraded?: string[] } };
};

const share = (xs: readonly { mode: string | undefined }[], mode: string) =>
  Math.round((100 * xs.filter((x) => x.mode === mode).length) / Math.max(1, xs.length));

describe("one Redis Cluster master lost under a steady stream of checkouts", () => {
  it("answers 200 throughout, degraded while the master is down, ready and naming it, normal after", async () => {
    const victim = cluster.ports[1] as number;
    // Warm the path (JIT, first script loads on each master) outside the measured stream.
    for (let i = 0; i < 30; i++) await probeMode(h);
    const load = new SteadyLoad(h, (i) => checkout(`shard-${i}`, T0 + i * 1_000), {
      ratePerSec: RATE,
      maxRequests: 5_000,
    });
    load.start();
    try {
      await waitFor(() => load.samples.filter((s) => s.mode === "normal").length >= RATE, {
        timeoutMs: 20_000,
        what: "a second of normal answers before the kill",
      });
      expect((await readyz()).body).toEqual({ ready: true, problems: [] });

      await cluster.kill(victim);
      const killedAt = performance.now();
      await waitFor(() => load.between(killedAt).some((s) => s.mode === "degraded"), {
        what: "a degraded answer after the kill",
      });
      const ready = await readyz();
      expect(ready.status).toBe(200);
      expect(ready.body.ready).toBe(true);
      expect(ready.body.degraded?.join(" ")).toContain(`127.0.0.1:${victim}`);
      await waitFor(() => load.between(killedAt).length >= OUTAGE_SAMPLES, {
        timeoutMs: 30_000,
        what: `${OUTAGE_SAMPLES} answers with the master down`,
      });

      await cluster.restart(victim);
      const restartedAt = performance.now();
      const recoveredAt = await load.recovery(restartedAt);
      await waitFor(async () => (await readyz()).body.degraded === undefined, {
        timeoutMs: 10_000,
        what: "/readyz without degraded dependencies",
      });
      const all = await load.stop();

      const before = all.filter((s) => s.sentAt < killedAt);
      const outage = load.between(killedAt, restartedAt);
      const steady = load.between(recoveredAt + 250);
      console.info(
        `cluster master ${victim} lost: before ${JSON.stringify(summary(before))} ${share(before, "normal")} % normal; ` +
          `outage ${JSON.stringify(summary(outage))} ${share(outage, "degraded")} % degraded; ` +
          `normal again ${Math.round(recoveredAt - restartedAt)} ms after the restart returned; ` +
          `after ${JSON.stringify(summary(steady))} ${share(steady, "normal")} % normal; readyz ${JSON.stringify(ready.body)}`,
      );

      expect(all.filter((s) => s.status !== 200).map((s) => s.status)).toEqual([]);
      // Degraded answers carry no score; none is a model answer computed on missing features.
      expect(outage.filter((s) => s.mode === "degraded" && s.score !== null)).toEqual([]);
      expect(outage.filter((s) => s.mode === "degraded").length).toBeGreaterThan(0);
      expect(recoveredAt - restartedAt).toBeLessThan(5_000);
      // Normal again and staying so: consecutive checkouts scored by the model. (Not a share of the
      // stream after recovery: on a busy shared box a CPU stall pushes a feature read past
      // FEATURE_TIMEOUT_MS and rightly degrades that checkout, which says nothing about the cluster.)
      let streak = 0;
      await waitFor(
        async () => {
          streak = (await probeMode(h)) === "normal" ? streak + 1 : 0;
          return streak >= 5;
        },
        {
          timeoutMs: 10_000,
          what: "five normal answers in a row after recovery",
        },
      );
      expect((await readyz()).body).toEqual({ ready: true, problems: [] });
    } finally {
      await load.stop();
    }
  }, 120_000);
});
