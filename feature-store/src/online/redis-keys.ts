import type { Entity } from "../definitions/entities.ts";
import { KEY_FORMAT_VERSION } from "../definitions/state-names.ts";

/**
 * Key format (documented in feature-store/README.md): an entity's keys are its base
 * `<prefix>fs:<version>:{<entity>:<id>}` plus a suffix the scripts add (`:h`, `:seen`,
 * `:c:<stream>`, `:x:<set>`, `:u:<set>:<window>:<slot>`), so all keys of one entity share the hash
 * tag and live on one Redis Cluster slot.
 */
export class RedisKeys {
  private readonly prefix: string;

  constructor(prefix: string) {
    this.prefix = prefix;
  }

  base(entity: Entity, id: string): string {
    return `${this.prefix}fs:${KEY_FORMAT_VERSION}:{${entity}:${id}}`;
  }
}
