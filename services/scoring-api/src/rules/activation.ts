import { Checkout } from "@riskgate/feature-store/events";
import type { TSchema } from "@sinclair/typebox";

/**
 * The values CEL sees, and the CEL types that describe them.
 *
 * Every variable is an instance of a class registered with the CEL environment (rather than a
 * plain object), for two reasons: the type checker then knows every field, so a misspelt feature,
 * list or checkout field is refused when the file loads instead of failing per request; and
 * cel-js does not have to wrap a plain object in a converter on each of the ~20 evaluations per
 * checkout.
 */

type CelScalar = "string" | "double" | "int" | "bool";

interface ScalarField {
  readonly kind: "scalar";
  readonly name: string;
  readonly cel: CelScalar;
  /** Served when an optional field is absent (see README: absent strings are ""). */
  readonly absent: string | number | bigint | boolean;
}
interface ObjectField {
  readonly kind: "object";
  readonly name: string;
  readonly type: ObjectType;
}
type Field = ScalarField | ObjectField;

export interface ObjectType {
  readonly celName: string;
  readonly ctor: new () => Record<string, unknown>;
  readonly fields: readonly Field[];
}

const ABSENT: Record<CelScalar, string | number | bigint | boolean> = {
  string: "",
  double: 0,
  int: 0n,
  bool: false,
};

function scalarOf(schema: TSchema, where: string): CelScalar {
  if (schema.type === "string") return "string";
  if (schema.type === "number") return "double";
  if (schema.type === "integer") return "int";
  if (schema.type === "boolean") return "bool";
  // Unions of string literals (payment.type) are plain strings to CEL.
  if (Array.isArray(schema.anyOf) && schema.anyOf.every((s: TSchema) => s.type === "string")) return "string";
  throw new Error(`activation: no CEL type for checkout field ${where}`);
}

function namedClass(name: string): new () => Record<string, unknown> {
  // A distinct constructor per type: cel-js finds a value's type by its constructor.
  return { [name]: class {} }[name] as new () => Record<string, unknown>;
}

/** Derived from the TypeBox contract, so a new checkout field is usable in rules without code here. */
function objectTypeFrom(schema: TSchema, celName: string, where: string): ObjectType {
  const required = new Set<string>(schema.required ?? []);
  const fields: Field[] = [];
  for (const [name, prop] of Object.entries<TSchema>(schema.properties ?? {})) {
    if (prop.type === "object") {
      const nested =
        celName + name.charAt(0).toUpperCase() + name.slice(1).replace(/_(.)/g, (_m, c) => c.toUpperCase());
      fields.push({ kind: "object", name, type: objectTypeFrom(prop, nested, `${where}.${name}`) });
    } else {
      const cel = scalarOf(prop, `${where}.${name}`);
      if (!required.has(name) && cel === "int") {
        // An absent optional int cannot be told from 0; no such field exists today, keep it that way.
        throw new Error(`activation: optional int field ${where}.${name} has no neutral value`);
      }
      fields.push({ kind: "scalar", name, cel, absent: ABSENT[cel] });
    }
  }
  return { celName, ctor: namedClass(celName), fields };
}

export const CHECKOUT_TYPE: ObjectType = objectTypeFrom(Checkout, "Checkout", "checkout");

/** Every object type under `root`, nested ones first (registration needs field types known). */
export function objectTypes(root: ObjectType): ObjectType[] {
  const out: ObjectType[] = [];
  const visit = (t: ObjectType) => {
    for (const f of t.fields) if (f.kind === "object") visit(f.type);
    out.push(t);
  };
  visit(root);
  return out;
}

export function celFields(t: ObjectType): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of t.fields) out[f.name] = f.kind === "object" ? f.type.celName : f.cel;
  return out;
}

/** Dotted paths of every scalar field (`user.email_domain`, …), for detail templates. */
export function scalarPaths(t: ObjectType, prefix = ""): string[] {
  return t.fields.flatMap((f) =>
    f.kind === "object" ? scalarPaths(f.type, `${prefix}${f.name}.`) : [`${prefix}${f.name}`],
  );
}

/**
 * A checkout as CEL sees it: absent optional strings become "", an absent `email_verified` is
 * false, integers become CEL ints (BigInt). Rules then never hit "no such key" on an optional field.
 */
export function toCelObject(
  t: ObjectType,
  value: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const out = new t.ctor();
  for (const f of t.fields) {
    const v = value[f.name];
    if (f.kind === "object") {
      out[f.name] = toCelObject(f.type, (v ?? {}) as Record<string, unknown>);
    } else if (v === undefined) {
      out[f.name] = f.absent;
    } else {
      out[f.name] = f.cel === "int" ? toInt(v) : v;
    }
  }
  return out;
}

/** Never throws: the checkout is schema-checked upstream, but evaluation must not 5xx regardless. */
function toInt(v: unknown): bigint {
  const n = Math.trunc(Number(v));
  return Number.isSafeInteger(n) ? BigInt(n) : 0n;
}

export class FeatureValues {
  [name: string]: number;
}

/** Features as CEL doubles; a feature missing from the input gets its default, as the model would. */
export function toFeatureValues(
  defaults: ReadonlyMap<string, number>,
  input: Readonly<Record<string, number>>,
): FeatureValues {
  const out = new FeatureValues();
  for (const [name, dflt] of defaults) {
    const v = input[name];
    out[name] = typeof v === "number" ? v : dflt;
  }
  return out;
}
