import { hash } from "node:crypto";
import { Checkout } from "@riskgate/feature-store/events";
import type { TSchema } from "@sinclair/typebox";

/** Every property name a schema allows, at any depth (sorted by the caller). */
function propertyNames(schema: TSchema, into = new Set<string>()): Set<string> {
  for (const [name, prop] of Object.entries<TSchema>(schema.properties ?? {})) {
    into.add(name);
    propertyNames(prop, into);
  }
  for (const branch of (schema.anyOf ?? []) as TSchema[]) propertyNames(branch, into);
  if (schema.items) propertyNames(schema.items as TSchema, into);
  return into;
}

// A replacer array orders the keys of every object by its own order: sorted names give each
// object its keys sorted, so key order in the request does not matter. Decoding has refused any
// field the schema lacks, so none is left out.
const CHECKOUT_KEYS = [...propertyNames(Checkout)].sort();

/**
 * Hash of a decoded checkout that ignores key order and undefined fields: a client that
 * re-serialises the same checkout is retrying, not conflicting.
 */
export function checkoutBodyHash(checkout: Checkout): string {
  // One-shot hash(): a Hash object per call cost several times the digest itself in the profile.
  return hash("sha256", JSON.stringify(checkout, CHECKOUT_KEYS), "hex").slice(0, 32);
}
