import { createHmac, createSecretKey, type KeyObject } from "node:crypto";
import type { AccountEvent } from "./accounts.ts";
import type { Checkout } from "./checkout.ts";
import type { DomainEvent } from "./decode.ts";
import type { InputTopic } from "./topics.ts";

/** What an identifier names; part of the hashed message, so one string names different things apart. */
export type IdKind = "user" | "device" | "payment_instrument" | "listing" | "host" | "ip";

/** `<key id>~<43 characters of base64url HMAC-SHA-256>`: what a pseudonym looks like. */
export const PSEUDONYM = /^[a-z0-9]{1,16}~[A-Za-z0-9_-]{43}$/;
export const KEY_ID = /^[a-z0-9]{1,16}$/;
export const MIN_KEY_LENGTH = 32;
/** Pseudonyms remembered per process (recently used): hot cards, IPs and listings repeat. */
export const DEFAULT_PSEUDONYM_CACHE_SIZE = 8192;

/**
 * The key of the embedded default (no ID_HASH_KEY): public, so its pseudonyms protect nothing
 * against someone who can guess identifiers. Deployments set their own key (services warn).
 */
export const DEV_ID_HASH_KEY = "riskgate-development-key-not-secret-set-ID_HASH_KEY";
export const DEV_ID_HASH_KEY_ID = "dev";

/**
 * Where an event entered. `labels`: the labels topic (and its event-log file), which the scoring
 * API's review service writes with the pseudonyms of its case. `client`: every other input
 * (`POST /v1/score`, `/v1/features`, `/v1/events`, the other Kafka topics). Told apart by where the
 * event came from, never by what an identifier looks like: a client who learnt someone's pseudonym
 * and sent it as an id would otherwise write to that entity.
 */
export type EventSource = "client" | "labels";

/** The source of an event read from `topic`. */
export function eventSourceOf(topic: InputTopic): EventSource {
  return topic === "labels" ? "labels" : "client";
}

/**
 * Keyed hashes of identifiers (HMAC-SHA-256). Without the key, a pseudonym cannot be linked to the
 * identifier it stands for, even by hashing guessed identifiers; with it, the same identifier is
 * always the same pseudonym, so counts, distinct counts and memberships are what they were on raw
 * identifiers. The key id in front names the key that made it (rotation: feature-store/README.md).
 */
export class Pseudonymiser {
  readonly keyId: string;
  // A KeyObject, not the key's bytes: createHmac imports a Buffer key on every call, which cost
  // about 20 µs per identifier in the API's profile (a KeyObject: about 3 µs).
  readonly #key: KeyObject;
  // Two generations instead of an LRU: an LRU re-inserted every hit (a Map delete and set, the
  // largest self time of the API's profile). A hit in `#young` costs one lookup; a hit in `#old`
  // moves the entry to `#young`; when `#young` holds half the cache size it becomes `#old` and
  // the previous `#old` is dropped: what was not used for a generation goes, and at most the
  // cache size is held (sizes below 2 cache nothing).
  #young = new Map<string, string>();
  #old = new Map<string, string>();
  readonly #generation: number;

  constructor(options: { readonly key: string; readonly keyId: string; readonly cacheSize?: number }) {
    if (!KEY_ID.test(options.keyId)) throw new Error("the id hash key id must match ^[a-z0-9]{1,16}$");
    if (options.key.length < MIN_KEY_LENGTH)
      throw new Error(`the id hash key must be at least ${MIN_KEY_LENGTH} characters`);
    this.keyId = options.keyId;
    this.#key = createSecretKey(Buffer.from(options.key, "utf8"));
    this.#generation = Math.floor((options.cacheSize ?? DEFAULT_PSEUDONYM_CACHE_SIZE) / 2);
  }

  /** Pseudonyms held in memory now (never more than the cache size). */
  get cached(): number {
    return this.#young.size + this.#old.size;
  }

  /** The pseudonym of `raw`, whatever it looks like (a pseudonym-shaped value is hashed again). */
  id(kind: IdKind, raw: string): string {
    const message = `${kind}\u0000${raw}`;
    const young = this.#young.get(message);
    if (young !== undefined) return young;
    const old = this.#old.get(message);
    if (old !== undefined) this.#old.delete(message);
    const pseudonym =
      old ?? `${this.keyId}~${createHmac("sha256", this.#key).update(message).digest("base64url")}`;
    if (this.#generation > 0) {
      if (this.#young.size >= this.#generation) {
        this.#old = this.#young;
        this.#young = new Map();
      }
      this.#young.set(message, pseudonym);
    }
    return pseudonym;
  }

  /**
   * On the labels path only, a value that already is a pseudonym passes unchanged: the review
   * labels the scoring API publishes carry the pseudonyms of their case, and hashing them again
   * would file the label under another entity. Raw ids there (a chargeback feed) are hashed.
   */
  private labelId(kind: IdKind, raw: string | undefined): string | undefined {
    if (raw === undefined) return undefined;
    return PSEUDONYM.test(raw) ? raw : this.id(kind, raw);
  }

  private opt(kind: IdKind, raw: string | undefined): string | undefined {
    return raw === undefined ? undefined : this.id(kind, raw);
  }

  /** The checkout with every identifier replaced by its pseudonym (a copy). */
  checkout<C extends Checkout>(c: C): C {
    return {
      ...c,
      user: { ...c.user, id: this.id("user", c.user.id) },
      device: { ...c.device, id: this.id("device", c.device.id), ip: this.id("ip", c.device.ip) },
      payment: { ...c.payment, instrument_id: this.id("payment_instrument", c.payment.instrument_id) },
      listing: {
        ...c.listing,
        id: this.id("listing", c.listing.id),
        host_id: this.id("host", c.listing.host_id),
      },
    };
  }

  /**
   * The event with every identifier replaced by its pseudonym (a copy); event ids stay as they are.
   * Only labels from the `labels` source may carry pseudonyms already (`labelId`).
   */
  event(e: DomainEvent, source: EventSource): DomainEvent {
    switch (e.type) {
      case "checkout":
        return this.checkout(e);
      case "payment_attempt":
        return {
          ...e,
          user_id: this.id("user", e.user_id),
          payment_instrument_id: this.id("payment_instrument", e.payment_instrument_id),
          ...optional("device_id", this.opt("device", e.device_id)),
        };
      case "listing_created":
      case "listing_updated":
        return { ...e, listing_id: this.id("listing", e.listing_id), host_id: this.id("host", e.host_id) };
      case "chargeback":
      case "review_outcome": {
        const id = source === "labels" ? this.labelId.bind(this) : this.opt.bind(this);
        return {
          ...e,
          ...optional("user_id", id("user", e.user_id)),
          ...optional("payment_instrument_id", id("payment_instrument", e.payment_instrument_id)),
        };
      }
      default:
        return this.account(e);
    }
  }

  private account(e: AccountEvent): AccountEvent {
    return {
      ...e,
      user_id: this.id("user", e.user_id),
      ...optional("device_id", this.opt("device", e.device_id)),
      ...optional("ip", this.opt("ip", e.ip)),
    };
  }
}

/** The configured key, or the public development key when none is set (`usingDevKey`: warn). */
export function pseudonymiserFor(config: { readonly idHashKey?: string; readonly idHashKeyId?: string }): {
  readonly pseudonymiser: Pseudonymiser;
  readonly usingDevKey: boolean;
} {
  if (config.idHashKey === undefined) {
    return {
      pseudonymiser: new Pseudonymiser({ key: DEV_ID_HASH_KEY, keyId: DEV_ID_HASH_KEY_ID }),
      usingDevKey: true,
    };
  }
  return {
    pseudonymiser: new Pseudonymiser({ key: config.idHashKey, keyId: config.idHashKeyId ?? "" }),
    usingDevKey: false,
  };
}

/** Optional fields stay absent rather than becoming `undefined` (the event's JSON is unchanged). */
function optional<K extends string>(name: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [name]: value }) as { [P in K]?: string };
}
