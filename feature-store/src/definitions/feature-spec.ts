import type { Checkout } from "../events/index.ts";
import { countUnit, DISTINCT_EXACT_CAP, HLL_ERROR_BOUND, hllBuckets } from "./bounded-state.ts";
import type { Entity } from "./entities.ts";
import { DAY, HOUR, MINUTE } from "./time.ts";

export type FeatureType = "int" | "float" | "bool";

/** What a feature computes from, in a serialisable form: it feeds the version hash and the docs. */
export type SourceDescriptor =
  | { kind: "window_count"; stream: string; windowMs: number; bucketMs: number }
  | { kind: "distinct_count"; set: string; windowMs: number; cap: number; hllBucketMs: number }
  | { kind: "field"; field: string }
  | { kind: "time_since"; field: string; unitMs: number; cap: number }
  | { kind: "set_member"; set: string; windowMs: number; member: string; cap: number }
  | { kind: "request"; inputs: readonly string[] }
  | { kind: "entity_and_request"; fields: readonly string[]; inputs: readonly string[] };

/** Read access for one feature's computation: its own entity's state plus the checkout. */
export interface FeatureInputs {
  readonly checkout: Checkout;
  readonly asOf: number;
  field(name: string): string | undefined;
  /** Value of the feature's declared read (windowed count, distinct count or member time). */
  count(): number;
  memberTime(): number | null;
}

/**
 * Features an attacker can set at a small cost, by what the attacker changes: the account's
 * settings just before (a reset, a new e-mail, a device added), the device (planted early it looks
 * aged and known), the network (proxies put the IP anywhere), the pace (tests spread over hours),
 * the words of a message.
 */
export type EvasionGroup = "account_changes" | "device" | "network" | "velocity" | "message";

export interface FeatureSpec {
  readonly name: string;
  readonly entity: Entity | "request";
  readonly type: FeatureType;
  /** Served when the entity is unknown, the value is stale, or the inputs are absent. */
  readonly default: number;
  /** Older state than this (by the entity's newest event time) is treated as missing. */
  readonly maxAgeMs: number;
  readonly description: string;
  /** Bump when the computation changes without its descriptor changing. */
  readonly revision: number;
  readonly source: SourceDescriptor;
  /** For an approximate feature: how far it may be from the exact value, and when. */
  readonly errorBound?: string;
  /**
   * A lifetime counter or an age: it grows as entities age, whatever the upstream streams do, so
   * its distribution moves away from any fixed training sample as the model gets older. Drift
   * monitoring exports its PSI but alerts only on its share at the default (a silent stream).
   */
  readonly growsWithAge?: true;
  /**
   * The group of attacker-set features this one belongs to, or null when changing its value costs
   * the fraud its point (the amount, the stay, the listing, the entity's own history). Every
   * feature must choose: training's evasion mimicry shows the model fraud that mimics an ordinary
   * customer on each group (models/training/riskgate_training/evasion_mimicry.py).
   */
  readonly evadable: EvasionGroup | null;
  /** Returns undefined when the inputs are absent; the default is served then. */
  compute(inputs: FeatureInputs): number | undefined;
}

type Common = Pick<FeatureSpec, "name" | "description" | "growsWithAge" | "evadable"> & { revision?: number };

/** A feature named and described as its builder was told, at revision 1 unless bumped. */
function feature(
  spec: Common,
  rest: Omit<FeatureSpec, "name" | "description" | "revision" | "growsWithAge" | "evadable">,
): FeatureSpec {
  return {
    name: spec.name,
    description: spec.description,
    revision: spec.revision ?? 1,
    evadable: spec.evadable,
    ...(spec.growsWithAge ? { growsWithAge: true as const } : {}),
    ...rest,
  };
}

/** A count the store keeps per window for the entity (its declared read): 0 when unknown or stale. */
function countInWindow(
  spec: Common & { entity: Entity; windowMs: number },
  source: SourceDescriptor,
  errorBound: string,
): FeatureSpec {
  return feature(spec, {
    entity: spec.entity,
    type: "int",
    default: 0,
    maxAgeMs: spec.windowMs,
    source,
    errorBound,
    compute: (i) => i.count(),
  });
}

/** Events in a window, summed from the window's time buckets (bounded-state.ts). */
export function windowCount(
  spec: Common & { entity: Entity; stream: string; windowMs: number },
): FeatureSpec {
  const unit = countUnit(spec.windowMs);
  const n = spec.windowMs / unit.ms;
  return countInWindow(
    spec,
    { kind: "window_count", stream: spec.stream, windowMs: spec.windowMs, bucketMs: unit.ms },
    `Counts the ${n} ${duration(unit.ms)} buckets ending with the read's own: between the exact ` +
      `count over the last ${duration(spec.windowMs - unit.ms)} and over the last ${duration(spec.windowMs)} ` +
      "(plus, when serving, events later than the checkout in its own bucket).",
  );
}

/** Distinct members of a set in a window: exact up to the cap, then a HyperLogLog estimate. */
export function distinctCount(spec: Common & { entity: Entity; set: string; windowMs: number }): FeatureSpec {
  const hll = hllBuckets(spec.windowMs);
  const pct = (HLL_ERROR_BOUND * 100).toFixed(2);
  return countInWindow(
    spec,
    {
      kind: "distinct_count",
      set: spec.set,
      windowMs: spec.windowMs,
      cap: DISTINCT_EXACT_CAP,
      hllBucketMs: hll.bucketMs,
    },
    `Exact while the ${DISTINCT_EXACT_CAP} most recent members reach back over the window. Beyond: ` +
      `the larger of that exact count of recent members and the HyperLogLog estimate over the last ` +
      `${hll.buckets} ${duration(hll.bucketMs)} bucket(s), which lies within ${pct} % (4 standard errors) ` +
      `of the exact distinct count over between the last ${duration(spec.windowMs - hll.bucketMs)} and ` +
      `the last ${duration(spec.windowMs)}.`,
  );
}

export function lifetimeCounter(
  spec: Omit<Common, "growsWithAge"> & { entity: Entity; field: string; maxAgeMs: number },
): FeatureSpec {
  return feature(
    { ...spec, growsWithAge: true },
    {
      entity: spec.entity,
      type: "int",
      default: 0,
      maxAgeMs: spec.maxAgeMs,
      source: { kind: "field", field: spec.field },
      compute: (i) => {
        const v = i.field(spec.field);
        return v === undefined ? undefined : Number(v);
      },
    },
  );
}

/** Time since a timestamp field, capped; `whenUnknown` is served when the field is absent. */
export function timeSince(
  spec: Common & {
    entity: Entity;
    field: string;
    unitMs: number;
    cap: number;
    whenUnknown: number;
    maxAgeMs: number;
  },
): FeatureSpec {
  return feature(spec, {
    entity: spec.entity,
    type: "float",
    default: spec.whenUnknown,
    maxAgeMs: spec.maxAgeMs,
    source: { kind: "time_since", field: spec.field, unitMs: spec.unitMs, cap: spec.cap },
    compute: (i) => {
      const v = i.field(spec.field);
      if (v === undefined) return undefined;
      return Math.min(spec.cap, Math.max(0, (i.asOf - Number(v)) / spec.unitMs));
    },
  });
}

/** 1 when the member (taken from the checkout) was not seen in the set within the window. */
export function notSeenBefore(
  spec: Common & { entity: Entity; set: string; windowMs: number; member: string },
): FeatureSpec {
  return feature(spec, {
    entity: spec.entity,
    type: "bool",
    default: 1,
    maxAgeMs: spec.windowMs,
    source: {
      kind: "set_member",
      set: spec.set,
      windowMs: spec.windowMs,
      member: spec.member,
      cap: DISTINCT_EXACT_CAP,
    },
    errorBound:
      `Exact while the entity's ${DISTINCT_EXACT_CAP} most recent members reach back over the window; ` +
      "beyond, a member older than all of them reads as not seen (1).",
    compute: (i) => (i.memberTime() === null ? 1 : 0),
  });
}

export function requestFeature(
  spec: Common & {
    type: FeatureType;
    default: number;
    inputs: readonly string[];
    compute: (c: Checkout, asOf: number) => number | undefined;
  },
): FeatureSpec {
  return feature(spec, {
    entity: "request",
    type: spec.type,
    default: spec.default,
    maxAgeMs: 0,
    source: { kind: "request", inputs: spec.inputs },
    compute: (i) => spec.compute(i.checkout, i.asOf),
  });
}

export function entityAndRequest(
  spec: Common & {
    entity: Entity;
    type: FeatureType;
    default: number;
    maxAgeMs: number;
    fields: readonly string[];
    inputs: readonly string[];
    compute: (field: (name: string) => string | undefined, c: Checkout) => number | undefined;
  },
): FeatureSpec {
  return feature(spec, {
    entity: spec.entity,
    type: spec.type,
    default: spec.default,
    maxAgeMs: spec.maxAgeMs,
    source: { kind: "entity_and_request", fields: spec.fields, inputs: spec.inputs },
    compute: (i) => spec.compute((n) => i.field(n), i.checkout),
  });
}

function duration(ms: number): string {
  if (ms % DAY === 0) return ms === DAY ? "day" : `${ms / DAY} days`;
  if (ms % HOUR === 0) return ms === HOUR ? "hour" : `${ms / HOUR} hours`;
  return ms === MINUTE ? "minute" : `${ms / MINUTE} minutes`;
}
