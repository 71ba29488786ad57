import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as delay } from "node:timers/promises";
import { parseArgs } from "node:util";
import { topicNames } from "@riskgate/feature-store/events";
import { Kafka, logLevel } from "kafkajs";
import { createProgress } from "../progress.ts";
import { FreshnessProbe } from "./freshness.ts";
import { type SinkMessage, sendUntilAcked } from "./kafka-sink.ts";
import { Pacer } from "./pacer.ts";
import { finalReport, liveLine } from "./report.ts";
import { Scorer } from "./scorer.ts";
import { ingestedCount, stackSettings, waitForIngest } from "./stack-env.ts";
import { ReplayStats } from "./stats.ts";
import { DAY_MS, shiftDaysFor, shiftTimes } from "./time-shift.ts";
import { readWorldInfo, worldEvents } from "./world-stream.ts";

const USAGE = `usage: npm run replay -- --in DIR [options]

Replays a simulated world (npm run simulate) into the running stack's Kafka topics in event-time
order; the world's history (before its first day) goes as fast as the stack takes it.

  --in DIR             the world directory                                      required
  --speed N|max        N x real time from the first simulated day on            default max
  --rate N|max         at most N events per second (max: as fast as the stack   default 500
                       takes them, which saturates a small machine)
  --score              POST /v1/score each checkout as its time comes (the API stores it);
                       without it, checkouts go to the checkouts topic like any event
  --concurrency N      score requests in flight at most                         default 8
  --probe-every-ms N   freshness probe interval; 0: no probes                   default 250
  --from N             skip the first N events (resume where a stopped run said)
  --shift-days N       days added to every event time                 default: the world ends before now
  --topic-prefix P     default riskgate.
  -h, --help
Where the stack is: .cache/dev/stack/stack.env and api-keys.env (npm run stack), or the environment
(RISKGATE_API_URL, RISKGATE_SCORE_KEY, KAFKA_BROKERS, RISKGATE_INGEST_METRICS_URL).`;

const REPO = resolve(import.meta.dirname, "../../../..");

function positive(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (value === "max") return Number.POSITIVE_INFINITY;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, got ${value}`);
  return n;
}

// kafkajs 2.2.4 (maintenance only) arms a timer with a negative delay, which Node 24 reports on every
// run; the warning would only clutter the progress output. The timer itself is not harmless: Node runs
// it after 1 ms, again and again, per broker connection (services/common kafkajs-idle-timer.ts). The
// services' guard against it is not applied here: the simulator may import the event contracts only
// (.dependency-cruiser.cjs, simulator-uses-contracts-only), not services/common.
process.removeAllListeners("warning").on("warning", (w) => {
  if (w.name !== "TimeoutNegativeWarning") process.stderr.write(`${w.name}: ${w.message}\n`);
});

async function main(): Promise<void> {
  const { values: v } = parseArgs({
    options: {
      in: { type: "string" },
      speed: { type: "string" },
      rate: { type: "string" },
      score: { type: "boolean" },
      concurrency: { type: "string" },
      "probe-every-ms": { type: "string" },
      from: { type: "string" },
      "shift-days": { type: "string" },
      "topic-prefix": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (v.help) return void process.stdout.write(`${USAGE}\n`);
  if (!v.in) throw new Error("--in is required");
  const world = readWorldInfo(resolve(v.in));
  const stack = stackSettings(REPO, process.env);
  if (!stack.brokers) throw new Error("no Kafka: start the stack (npm run stack) or set KAFKA_BROKERS");
  const probeEveryMs = positive(v["probe-every-ms"], "probe-every-ms", 250);
  if ((v.score || probeEveryMs > 0) && (!stack.apiUrl || !stack.scoreKey))
    throw new Error(
      "--score and the probes need the API: start the stack or set RISKGATE_API_URL and RISKGATE_SCORE_KEY",
    );
  const from = positive(v.from, "from", 0);
  const shiftDays =
    v["shift-days"] !== undefined
      ? positive(v["shift-days"], "shift-days", 0)
      : shiftDaysFor(world.lastEventMs, Date.now());
  const shiftMs = shiftDays * DAY_MS;
  const topics = topicNames(v["topic-prefix"] ?? "riskgate.");

  const kafka = new Kafka({
    clientId: "riskgate-replay",
    brokers: stack.brokers.split(","),
    logLevel: logLevel.NOTHING,
    retry: { retries: 3, initialRetryTime: 200 },
  });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const stats = new ReplayStats();
  await waitForIngest(stack.ingestMetricsUrl, (line) => process.stderr.write(line));
  const ingestedBefore = await ingestedCount(stack.ingestMetricsUrl);
  let stopping = false;
  process.on("SIGINT", () => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stderr.write("\nstopping after the batch in flight (Ctrl-C again to quit at once)\n");
  });
  const warn = (attempt: number, err: unknown) => {
    if (attempt === 1 || attempt % 10 === 0)
      process.stderr.write(
        `\nKafka did not take a batch (${err instanceof Error ? err.message : String(err)}); retrying until it does\n`,
      );
  };

  const probe =
    probeEveryMs > 0
      ? new FreshnessProbe(
          {
            apiUrl: stack.apiUrl as string,
            key: stack.scoreKey as string,
            runId: randomBytes(4).toString("hex"),
            everyMs: probeEveryMs,
            now: Date.now,
            send: async (event) => {
              await sendUntilAcked(
                producer,
                [{ topic: topics.input.payments, key: String(event.event_id), value: JSON.stringify(event) }],
                warn,
              );
            },
          },
          stats.freshness,
        )
      : undefined;
  const scorer = v.score
    ? new Scorer(
        {
          apiUrl: stack.apiUrl as string,
          key: stack.scoreKey as string,
          concurrency: positive(v.concurrency, "concurrency", 8),
        },
        stats,
      )
    : undefined;
  const pacer = new Pacer(
    {
      speed: positive(v.speed, "speed", Number.POSITIVE_INFINITY),
      maxRate: positive(v.rate, "rate", 500),
      paceFromMs: world.startMs,
    },
    () => performance.now(),
  );
  const progress = createProgress(process.stderr, () => performance.now(), "replay");
  const started = performance.now();
  probe?.start();

  let index = 0;
  let handed = from; // events fully handed to Kafka or the API: where a resume starts
  let batch: SinkMessage[] = [];
  const flush = async () => {
    const ok = await sendUntilAcked(producer, batch, warn, () => stopping);
    if (!ok) return false;
    stats.produced += batch.length;
    handed = index;
    batch = [];
    return true;
  };
  for await (const we of worldEvents(world.dir)) {
    if (index < from) {
      index++;
      continue;
    }
    if (stopping) break;
    const wait = pacer.delayFor(we.t);
    if (wait > 20) {
      if (!(await flush())) break;
      await delay(wait);
    }
    const event = shiftTimes(we.event, shiftMs);
    if (we.topic === "checkouts" && scorer) {
      if (!(await flush())) break;
      const { type: _type, ...body } = event;
      await scorer.submit(body, we.fraud === true, new Date(we.t).toISOString().slice(0, 10));
      index++;
      handed = index;
    } else {
      batch.push({ topic: topics.input[we.topic], key: event.event_id, value: JSON.stringify(event) });
      index++;
      if (batch.length >= 500 && !(await flush())) break;
    }
    pacer.sentOne();
    if (index % 100 === 0)
      progress.update(index / world.events, `${index}/${world.events} events, ${liveLine(stats)}`);
  }
  await flush();
  await scorer?.drain();
  await probe?.stop();
  stats.probesProduced = probe?.produced ?? 0;
  stats.freshnessTimeouts = probe?.timeouts ?? 0;
  stats.freshnessErrors = probe?.errors ?? 0;
  stats.freshnessUnavailable = probe?.unavailable ?? 0;
  stats.freshnessLastError = probe?.lastError;
  const seconds = (performance.now() - started) / 1000;
  progress.done(`${handed}/${world.events} events, ${liveLine(stats)}`);
  // The ingest consumes behind the producer: give it a moment to catch up before counting.
  let ingested: number | undefined;
  const target = (ingestedBefore ?? 0) + stats.produced + stats.probesProduced;
  for (let i = 0; i < 120; i++) {
    const now = await ingestedCount(stack.ingestMetricsUrl);
    ingested = now === undefined || ingestedBefore === undefined ? undefined : now - ingestedBefore;
    if (now === undefined || now >= target) break;
    await delay(500);
  }
  await producer.disconnect();
  process.stdout.write(
    `\n${finalReport(stats, { seconds, shiftDays, ...(ingested === undefined ? {} : { ingested }) })}\n`,
  );
  if (handed < world.events) {
    process.stdout.write(
      `\nStopped at event ${handed} of ${world.events}. Resume with:\n  npm run replay -- --in ${v.in} --from ${handed} --shift-days ${shiftDays}${v.score ? " --score" : ""}${v.speed ? ` --speed ${v.speed}` : ""}${v.rate ? ` --rate ${v.rate}` : ""}\n`,
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`replay: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
  process.exitCode = 1;
});
