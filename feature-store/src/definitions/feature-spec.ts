import type { Checkout } from "../events/index.ts";
import type { Entity } from "./entities.ts";

export type FeatureType = "int" | "float" | "bool";

/** What a feature computes from, in a serialisable form: it feeds the version hash and the docs. */
export type SourceDescriptor =
  | { kind: "stream_count"; stream: string; windowMs: number }
  | { kind: "field"; field: string }
  | { kind: "time_since"; field: string; unitMs: number; cap: number }
  | { kind: "stream_member"; stream: string; windowMs: number; member: string }
  | { kind: "request"; inputs: readonly string[] }
  | { kind: "entity_and_request"; fields: readonly string[]; inputs: readonly string[] };

/** Read access for one feature's computation: its own entity's state plus the checkout. */
export interface FeatureInputs {
  readonly checkout: Checkout;
  readonly asOf: number;
  field(name: string): string | undefined;
  /** Value of the feature's declared stream read (count or member time). */
  count(): number;
  memberTime(): number | null;
}

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
  /** Returns undefined when the inputs are absent; the default is served then. */
  compute(inputs: FeatureInputs): number | undefined;
}

type Common = Pick<FeatureSpec, "name" | "description"> & { revision?: number };

export function streamCount(
  spec: Common & { entity: Entity; stream: string; windowMs: number },
): FeatureSpec {
  return {
    name: spec.name,
    entity: spec.entity,
    type: "int",
    default: 0,
    maxAgeMs: spec.windowMs,
    description: spec.description,
    revision: spec.revision ?? 1,
    source: { kind: "stream_count", stream: spec.stream, windowMs: spec.windowMs },
    compute: (i) => i.count(),
  };
}

export function lifetimeCounter(
  spec: Common & { entity: Entity; field: string; maxAgeMs: number },
): FeatureSpec {
  return {
    name: spec.name,
    entity: spec.entity,
    type: "int",
    default: 0,
    maxAgeMs: spec.maxAgeMs,
    description: spec.description,
    revision: spec.revision ?? 1,
    source: { kind: "field", field: spec.field },
    compute: (i) => {
      const v = i.field(spec.field);
      return v === undefined ? undefined : Number(v);
    },
  };
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
  return {
    name: spec.name,
    entity: spec.entity,
    type: "float",
    default: spec.whenUnknown,
    maxAgeMs: spec.maxAgeMs,
    description: spec.description,
    revision: spec.revision ?? 1,
    source: { kind: "time_since", field: spec.field, unitMs: spec.unitMs, cap: spec.cap },
    compute: (i) => {
      const v = i.field(spec.field);
      if (v === undefined) return undefined;
      return Math.min(spec.cap, Math.max(0, (i.asOf - Number(v)) / spec.unitMs));
    },
  };
}

/** 1 when the member (taken from the checkout) was not seen in the stream within the window. */
export function notSeenBefore(
  spec: Common & { entity: Entity; stream: string; windowMs: number; member: string },
): FeatureSpec {
  return {
    name: spec.name,
    entity: spec.entity,
    type: "bool",
    default: 1,
    maxAgeMs: spec.windowMs,
    description: spec.description,
    revision: spec.revision ?? 1,
    source: { kind: "stream_member", stream: spec.stream, windowMs: spec.windowMs, member: spec.member },
    compute: (i) => (i.memberTime() === null ? 1 : 0),
  };
}

export function requestFeature(
  spec: Common & {
    type: FeatureType;
    default: number;
    inputs: readonly string[];
    compute: (c: Checkout, asOf: number) => number | undefined;
  },
): FeatureSpec {
  return {
    name: spec.name,
    entity: "request",
    type: spec.type,
    default: spec.default,
    maxAgeMs: 0,
    description: spec.description,
    revision: spec.revision ?? 1,
    source: { kind: "request", inputs: spec.inputs },
    compute: (i) => spec.compute(i.checkout, i.asOf),
  };
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
  return {
    name: spec.name,
    entity: spec.entity,
    type: spec.type,
    default: spec.default,
    maxAgeMs: spec.maxAgeMs,
    description: spec.description,
    revision: spec.revision ?? 1,
    source: { kind: "entity_and_request", fields: spec.fields, inputs: spec.inputs },
    compute: (i) => spec.compute((n) => i.field(n), i.checkout),
  };
}
