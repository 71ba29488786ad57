import { createHash } from "node:crypto";
import type { Checkout } from "../events/index.ts";
import type { EntityRead, EntitySnapshot, RawState, ReadPlan } from "../online/contract.ts";
import { WATERMARK_FIELD } from "../online/contract.ts";
import { checkoutEntityIds, ENTITIES, type Entity } from "./entities.ts";
import type { FeatureInputs, FeatureSpec } from "./feature-spec.ts";
import { KEY_FORMAT_VERSION } from "./state-names.ts";
import { HORIZON_MS } from "./time.ts";

export interface FeatureVector {
  /** In FeatureSet.names order: the model's input order. */
  readonly values: readonly number[];
  /** Features served their default because the entity, field or request input was absent. */
  readonly missing: readonly string[];
  /** Features served their default because the stored value was older than their max age. */
  readonly stale: readonly string[];
}

interface WindowSlot {
  readonly name: string;
  readonly windowMs: number;
}

interface EntityLayout {
  readonly counts: WindowSlot[];
  readonly distinct: WindowSlot[];
  readonly members: (WindowSlot & { readonly memberPath: string })[];
}

interface Binding {
  readonly spec: FeatureSpec;
  /** Index into ENTITIES, or -1 for request-time features. */
  readonly entityIndex: number;
  readonly slot: number;
  readonly kind: "count" | "distinct" | "member" | "none";
}

/** The checkout's value at a dotted path (a membership feature's member), as a string. */
export function checkoutPath(c: Checkout, path: string): string {
  let cur: unknown = c;
  for (const key of path.split(".")) cur = (cur as Record<string, unknown> | undefined)?.[key];
  return String(cur);
}

/**
 * One checkout's inputs, re-pointed at each feature's entity and slot in turn: one object per
 * checkout instead of three closures per feature (this runs on every scored request).
 */
class BoundInputs implements FeatureInputs {
  fields: Record<string, string> | null = null;
  snapshot: EntitySnapshot | undefined;
  slot = -1;
  distinct = false;
  readonly checkout: Checkout;
  readonly asOf: number;

  constructor(checkout: Checkout, asOf: number) {
    this.checkout = checkout;
    this.asOf = asOf;
  }

  field(name: string): string | undefined {
    return this.fields?.[name];
  }

  count(): number {
    return (this.distinct ? this.snapshot?.distinct : this.snapshot?.counts)?.[this.slot] ?? 0;
  }

  memberTime(): number | null {
    return this.snapshot?.members[this.slot] ?? null;
  }
}

/**
 * A compiled feature set: knows which reads a checkout needs (one plan, one round trip) and how
 * to turn what the store returned into the model's input vector. The same instance serves the
 * API and the offline backfill, so training and serving compute features with the same code.
 */
export class FeatureSet {
  readonly names: readonly string[];
  readonly version: string;
  private readonly layouts: EntityLayout[];
  private readonly bindings: Binding[];
  readonly specs: readonly FeatureSpec[];
  /** Every name, in order, on one object shape: see toRecord. */
  private readonly recordShape: Record<string, number>;

  constructor(specs: readonly FeatureSpec[]) {
    this.specs = specs;
    const seen = new Set<string>();
    for (const s of specs) {
      if (seen.has(s.name)) throw new Error(`duplicate feature name ${s.name}`);
      seen.add(s.name);
    }
    this.names = specs.map((s) => s.name);
    this.layouts = ENTITIES.map(() => ({ counts: [], distinct: [], members: [] }));
    this.bindings = specs.map((spec) => this.bind(spec));
    this.version = featureSetVersion(specs);
    // JSON.parse builds an object in V8's fast (shape-based) mode, which a spread copies as is.
    this.recordShape = JSON.parse(JSON.stringify(Object.fromEntries(this.names.map((n) => [n, 0]))));
  }

  private bind(spec: FeatureSpec): Binding {
    if (spec.entity === "request") return { spec, entityIndex: -1, slot: -1, kind: "none" };
    const entityIndex = ENTITIES.indexOf(spec.entity);
    const layout = this.layouts[entityIndex] as EntityLayout;
    const src = spec.source;
    if (src.kind === "window_count" || src.kind === "distinct_count") {
      const name = src.kind === "window_count" ? src.stream : src.set;
      const slots = src.kind === "window_count" ? layout.counts : layout.distinct;
      let slot = slots.findIndex((c) => c.name === name && c.windowMs === src.windowMs);
      if (slot < 0) slot = slots.push({ name, windowMs: src.windowMs }) - 1;
      return { spec, entityIndex, slot, kind: src.kind === "window_count" ? "count" : "distinct" };
    }
    if (src.kind === "set_member") {
      const slot = layout.members.push({ name: src.set, windowMs: src.windowMs, memberPath: src.member }) - 1;
      return { spec, entityIndex, slot, kind: "member" };
    }
    return { spec, entityIndex, slot: -1, kind: "none" };
  }

  /** Everything the features of one checkout need from the store, as of `asOf` (event time, ms). */
  plan(checkout: Checkout, asOf: number): ReadPlan {
    const ids = checkoutEntityIds(checkout);
    const entities: EntityRead[] = ENTITIES.map((entity: Entity, i) => {
      const layout = this.layouts[i] as EntityLayout;
      return {
        entity,
        id: ids[entity],
        counts: layout.counts,
        distinct: layout.distinct,
        members: layout.members.map((m) => ({
          name: m.name,
          windowMs: m.windowMs,
          member: checkoutPath(checkout, m.memberPath),
        })),
      };
    });
    return { asOf, entities };
  }

  compute(checkout: Checkout, asOf: number, raw: RawState): FeatureVector {
    const values: number[] = new Array(this.bindings.length);
    const missing: string[] = [];
    const stale: string[] = [];
    const inputs = new BoundInputs(checkout, asOf);
    for (let f = 0; f < this.bindings.length; f++) {
      const b = this.bindings[f] as Binding;
      const snap = b.entityIndex >= 0 ? raw[b.entityIndex] : undefined;
      const fields = snap?.fields ?? null;
      if (b.entityIndex >= 0 && fields === null) {
        values[f] = b.spec.default;
        missing.push(b.spec.name);
        continue;
      }
      if (b.kind === "none" && fields !== null) {
        const wm = Number(fields[WATERMARK_FIELD] ?? Number.NaN);
        if (asOf - wm > b.spec.maxAgeMs) {
          values[f] = b.spec.default;
          stale.push(b.spec.name);
          continue;
        }
      }
      inputs.fields = fields;
      inputs.snapshot = snap;
      inputs.slot = b.slot;
      inputs.distinct = b.kind === "distinct";
      const v = b.spec.compute(inputs);
      if (v === undefined || !Number.isFinite(v)) {
        values[f] = b.spec.default;
        missing.push(b.spec.name);
      } else {
        values[f] = v;
      }
    }
    return { values, missing, stale };
  }

  /**
   * Name → value, keys in feature-set order. Copied from one shape rather than built key by key: an
   * object given this many keys one at a time turns into a hash table, which the rules read per
   * checkout and the decision log serialises at twice the cost of a copied shape.
   */
  toRecord(vector: FeatureVector): Record<string, number> {
    const record = { ...this.recordShape };
    for (let i = 0; i < this.names.length; i++) record[this.names[i] as string] = vector.values[i] as number;
    return record;
  }
}

/** A stable hash of everything that decides a feature's value: the feature-set version. */
export function featureSetVersion(specs: readonly FeatureSpec[]): string {
  const canonical = JSON.stringify({
    keyFormat: KEY_FORMAT_VERSION,
    horizonMs: HORIZON_MS,
    features: specs.map((s) => ({
      name: s.name,
      entity: s.entity,
      type: s.type,
      default: s.default,
      maxAgeMs: s.maxAgeMs,
      revision: s.revision,
      source: s.source,
    })),
  });
  return createHash("sha256").update(canonical).digest("hex").slice(0, 16);
}
