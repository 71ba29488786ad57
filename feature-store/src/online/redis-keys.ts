import type { Entity } from "../definitions/entities.ts";
import { KEY_FORMAT_VERSION } from "../definitions/state-names.ts";

/**
 * Key format (documented in feature-store/README.md): every key of one entity shares the hash tag
 * `{<entity>:<id>}`, so an entity's writes run as one Lua script on one Redis Cluster slot.
 */
export class RedisKeys {
  constructor(private readonly prefix: string) {}

  private base(entity: Entity, id: string): string {
    return `${this.prefix}fs:${KEY_FORMAT_VERSION}:{${entity}:${id}}`;
  }

  hash(entity: Entity, id: string): string {
    return `${this.base(entity, id)}:h`;
  }

  seen(entity: Entity, id: string): string {
    return `${this.base(entity, id)}:seen`;
  }

  stream(entity: Entity, id: string, stream: string): string {
    return `${this.base(entity, id)}:s:${stream}`;
  }
}
