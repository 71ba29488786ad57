import { ConfigError } from "./errors.ts";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads typed values from the environment and collects every problem, so a bad deployment
 * reports all its mistakes at once instead of one per restart.
 */
export class EnvReader {
  private readonly problems: string[] = [];
  private readonly env: Env;

  constructor(env: Env) {
    this.env = env;
  }

  string(name: string, fallback: string): string {
    const v = this.env[name];
    return v === undefined || v === "" ? fallback : v;
  }

  optional(name: string): string | undefined {
    const v = this.env[name];
    return v === undefined || v === "" ? undefined : v;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      this.problems.push(`${name}=${raw}: expected an integer from ${min} to ${max}`);
      return fallback;
    }
    return n;
  }

  number(name: string, fallback: number, min: number, max: number): number {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max) {
      this.problems.push(`${name}=${raw}: expected a number from ${min} to ${max}`);
      return fallback;
    }
    return n;
  }

  /** Like number(), but absent means "not set" rather than a default. */
  optionalNumber(name: string, min: number, max: number): number | undefined {
    return this.optional(name) === undefined ? undefined : this.number(name, Number.NaN, min, max);
  }

  /** Lets a caller add a problem found while interpreting a value (never include secrets). */
  problem(message: string): void {
    this.problems.push(message);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(raw)) {
      this.problems.push(`${name}=${raw}: expected one of ${allowed.join(", ")}`);
      return fallback;
    }
    return raw as T;
  }

  list(name: string): string[] {
    return (this.optional(name) ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  }

  /** A URL with one of the given protocols; the value is never echoed (it may hold a password). */
  url(name: string, protocols: readonly string[]): string | undefined {
    const raw = this.optional(name);
    if (raw === undefined) return undefined;
    try {
      const u = new URL(raw);
      if (!protocols.includes(u.protocol)) throw new Error("protocol");
      return raw;
    } catch {
      this.problems.push(`${name}: expected a URL starting with ${protocols.join(" or ")}`);
      return undefined;
    }
  }

  /** Throws ConfigError listing every problem found so far. */
  done(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }
}
