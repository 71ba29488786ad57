/**
 * Lists (blocked devices, sanctioned countries, …) as CEL sees them. Each list is a CEL
 * `map<string, bool>` backed by a JS Map, so `device.id in lists.blocked_devices` is a hash
 * lookup: cel-js's `in` over a list falls back to a linear scan on a miss, and almost every
 * checkout misses every block list.
 */
export interface ListsValue {
  readonly [name: string]: ReadonlyMap<string, boolean>;
}

export interface CompiledLists {
  /** The CEL field types, one per list, for registering the `Lists` type. */
  readonly fields: Record<string, string>;
  readonly ctor: new () => object;
  readonly value: ListsValue;
  /** Entries per list, for the README/metrics and tests. */
  readonly sizes: Readonly<Record<string, number>>;
}

export function compileLists(lists: Readonly<Record<string, readonly string[]>>): CompiledLists {
  // A fresh class per rules version: cel-js keys types by constructor and each version has its own
  // set of list names.
  const ctor = class RuleLists {};
  const value = new ctor() as Record<string, ReadonlyMap<string, boolean>>;
  const fields: Record<string, string> = {};
  const sizes: Record<string, number> = {};
  for (const [name, entries] of Object.entries(lists)) {
    fields[name] = "map<string, bool>";
    value[name] = new Map(entries.map((e) => [e, true]));
    sizes[name] = value[name].size;
  }
  return { fields, ctor, value, sizes };
}
