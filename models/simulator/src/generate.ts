import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { FRAUD_PATTERNS, KNOBS, type SimOptions } from "./config.ts";
import { runDay, runPrelude, streams } from "./day.ts";
import { Emitter } from "./emit.ts";
import { FraudKit } from "./fraud-kit.ts";
import { Geo } from "./geo.ts";
import { emitHistory } from "./history.ts";
import { eventIdPrefix, eventIds, IdFactory } from "./ids.ts";
import { Networks } from "./networks.ts";
import { Population } from "./population.ts";
import { Rng } from "./rng.ts";
import { DAY_MS, iso } from "./time.ts";
import { type Envelope, Timeline } from "./timeline/timeline.ts";
import { emptyStats, type World } from "./world.ts";
import { OUTPUT_FILES, WorldWriter } from "./writer.ts";

export interface ProgressInfo {
  /** Days finished, out of `days` (the label tail counts as the last step). */
  readonly done: number;
  readonly total: number;
  readonly events: number;
}

export interface Hooks {
  onProgress?(info: ProgressInfo): void;
}

/** What world.json holds. Everything but `generation` is a pure function of the options. */
export interface WorldSummary {
  seed: number;
  days: number;
  start: string;
  end: string;
  drift_starts_at: string | null;
  last_event_at: string;
  /** What every event id of this world starts with (ids.ts). */
  event_id_prefix: string;
  options: {
    checkouts_per_day: number;
    fraud_rate_scale: number;
    drift_days: number;
    validated: boolean;
  };
  files: Record<string, number>;
  events: number;
  event_types: Record<string, number>;
  checkouts: number;
  fraud_checkouts: number;
  fraud_rate: number;
  patterns: Record<string, number>;
  drifted: Record<string, number>;
  lookalikes: Record<string, number>;
  labels: Record<string, number>;
  entities: Record<string, number>;
  other: Record<string, number>;
  knobs: typeof KNOBS;
  generation: { seconds: number; events_per_second: number };
}

/** Generates the world described by `options` into `options.out` and returns world.json's content. */
export async function generateWorld(options: SimOptions, hooks: Hooks = {}): Promise<WorldSummary> {
  const began = performance.now();
  await mkdir(options.out, { recursive: true });
  const startMs = Date.parse(options.start);
  const root = new Rng(options.seed);
  const s = streams(root);
  const ids = new IdFactory();
  const geo = new Geo(root.fork("geo"));
  const nets = new Networks(root.fork("networks"), geo);
  const pop = new Population(ids, geo, nets);
  const timeline = new Timeline();
  const idPrefix = eventIdPrefix(options);
  const eventId = eventIds(idPrefix);
  const emit = new Emitter(timeline, options.validate, eventId);
  const world: World = {
    options,
    startMs,
    pop,
    geo,
    emit,
    stats: emptyStats(),
    rings: [],
    planted: [],
    nets,
    kit: new FraudKit(),
    recoveries: [],
  };
  const writer = new WorldWriter(options.out, eventId);
  const total = options.days + 1;

  pop.seedUsers(s.population, options.checkoutsPerDay * KNOBS.population.usersPerDailyCheckout, startMs);
  const { rates } = KNOBS.fraud;
  const sleeperUses =
    (rates.card_testing * 0.25 + rates.stolen_card * 0.3 + KNOBS.fraud.cardTestingNoiseRate * 0.25) * 1.2;
  pop.seedSleepers(
    s.population,
    Math.ceil(options.checkoutsPerDay * options.days * options.fraudRateScale * sleeperUses),
    startMs,
  );
  const inventory = Math.max(
    20,
    Math.round(options.checkoutsPerDay * KNOBS.population.listingsPerDailyCheckout),
  );
  await emitHistory(world, timeline, root.fork("history"), inventory, (batch) => writer.write(batch));
  pop.admit();
  pop.refreshPremium();
  timeline.open(startMs - DAY_MS, startMs);
  runPrelude(world, s);
  pop.admit();
  pop.refreshPremium();
  await writer.write(timeline.close());

  const driftFrom = options.days - options.driftDays;
  for (let index = 0; index < options.days; index++) {
    const dayStart = startMs + index * DAY_MS;
    timeline.open(dayStart, dayStart + DAY_MS);
    runDay(world, s, {
      index,
      startMs: dayStart,
      endMs: dayStart + DAY_MS,
      drift: options.driftDays > 0 && index >= driftFrom,
    });
    pop.admit();
    pop.refreshPremium();
    await writer.write(timeline.close());
    hooks.onProgress?.({ done: index + 1, total, events: emit.emitted });
  }

  // Labels (and the odd payment) that fall after the last day: no new checkouts, only the tail.
  let batch: Envelope[] = [];
  for (const envelope of timeline.drain()) {
    batch.push(envelope);
    if (batch.length >= 50_000) {
      await writer.write(batch);
      batch = [];
    }
  }
  await writer.write(batch);
  await writer.close();
  hooks.onProgress?.({ done: total, total, events: emit.emitted });

  const seconds = (performance.now() - began) / 1000;
  const summary = summarize(world, writer, ids, driftFrom, seconds, idPrefix);
  await writeFile(join(options.out, "world.json"), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}

function summarize(
  world: World,
  writer: WorldWriter,
  ids: IdFactory,
  driftFrom: number,
  seconds: number,
  eventIdPrefix: string,
): WorldSummary {
  const { options, stats, startMs } = world;
  const fraud = FRAUD_PATTERNS.reduce((sum, p) => sum + stats.fraud[p], 0);
  const events = world.emit.emitted;
  const sorted = <T>(record: Map<string, T>) =>
    Object.fromEntries([...record.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
  return {
    seed: options.seed,
    days: options.days,
    start: iso(startMs),
    end: iso(startMs + options.days * DAY_MS),
    drift_starts_at: options.driftDays > 0 ? iso(startMs + driftFrom * DAY_MS) : null,
    last_event_at: iso(writer.lastEventMs),
    event_id_prefix: eventIdPrefix,
    options: {
      checkouts_per_day: options.checkoutsPerDay,
      fraud_rate_scale: options.fraudRateScale,
      drift_days: options.driftDays,
      validated: options.validate,
    },
    files: Object.fromEntries(OUTPUT_FILES.map((f) => [`${f}.jsonl`, writer.counts[f]])),
    events,
    event_types: sorted(world.emit.counts),
    checkouts: stats.checkouts,
    fraud_checkouts: fraud,
    fraud_rate: stats.checkouts > 0 ? Number((fraud / stats.checkouts).toFixed(6)) : 0,
    patterns: { ...stats.fraud },
    drifted: { ...stats.drifted },
    lookalikes: { ...stats.lookalikes },
    labels: { ...stats.labels },
    entities: {
      users: ids.count("u"),
      devices: ids.count("d"),
      payment_instruments: ids.count("pi"),
      hosts: ids.count("h"),
      listings: ids.count("l"),
      rings: stats.ringsFormed,
    },
    other: {
      card_testing_bursts_without_checkout: stats.cardTestingNoiseBursts,
      planted_devices: stats.plantedDevices,
      recovered_takeover_victims: stats.recoveredVictims,
    },
    knobs: KNOBS,
    generation: {
      seconds: Number(seconds.toFixed(3)),
      events_per_second: Math.round(events / Math.max(seconds, 1e-9)),
    },
  };
}
