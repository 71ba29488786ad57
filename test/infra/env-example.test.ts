// .env.example against the configuration schemas: one list of variables, not three. Every variable a
// service reads is documented with its default; nothing is documented that nothing reads.
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { envVariables } from "@riskgate/common/env";
import { IngestConfigSchema, loadIngestConfig } from "@riskgate/feature-ingest/config";
import { ApiConfigSchema, loadApiConfig } from "@riskgate/scoring-api/config";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const DEV_SECTION = "tests and local services (infra/dev)";

interface Entry {
  readonly name: string;
  readonly value: string;
  /** Set as written (`NAME=value`), not an example in a comment (`# NAME=value`). */
  readonly active: boolean;
  readonly section: string;
}

function readEnvExample(): Entry[] {
  const entries: Entry[] = [];
  let section = "";
  for (const line of readFileSync(resolve(ROOT, ".env.example"), "utf8").split("\n")) {
    const header = /^# --- (.+) ---$/.exec(line);
    if (header?.[1]) section = header[1];
    const m = /^(# ?)?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m?.[2] !== undefined) entries.push({ name: m[2], value: m[3] ?? "", active: !m[1], section });
  }
  return entries;
}

const SERVICES = [
  { service: "scoring-api", schema: ApiConfigSchema },
  { service: "feature-ingest", schema: IngestConfigSchema },
] as const;

const entries = readEnvExample();
const schemaVariables = new Set(SERVICES.flatMap((s) => envVariables(s.schema).map((v) => v.name)));

describe(".env.example", () => {
  it("documents each variable once", () => {
    const names = entries.map((e) => e.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  for (const { service, schema } of SERVICES) {
    it(`sets every ${service} variable that has a default to that default, and shows the others commented out`, () => {
      const mismatches = envVariables(schema).flatMap((v) => {
        const entry = entries.find((e) => e.name === v.name);
        const fallback = v.schema.default;
        const expected =
          fallback === undefined || fallback === "" ? "a commented example" : `${v.name}=${String(fallback)}`;
        const found =
          entry === undefined ? "nothing" : entry.active ? `${v.name}=${entry.value}` : "a commented example";
        return found === expected ? [] : [`${v.name}: expected ${expected}, found ${found}`];
      });
      expect(mismatches).toEqual([]);
    });
  }

  it("documents outside the infra/dev section only what a service's schema reads", () => {
    const unread = entries.filter((e) => e.section !== DEV_SECTION && !schemaVariables.has(e.name));
    expect(unread.map((e) => e.name)).toEqual([]);
  });

  it("documents in the infra/dev section only what the dev scripts or test support read", () => {
    const sources = [
      ...readdirSync(resolve(ROOT, "infra/dev")).map((f) => resolve(ROOT, "infra/dev", f)),
      ...readdirSync(resolve(ROOT, "test/support")).map((f) => resolve(ROOT, "test/support", f)),
    ]
      .filter((f) => /\.(sh|ts)$/.test(f))
      .map((f) => readFileSync(f, "utf8"))
      .join("\n");
    const dev = entries.filter((e) => e.section === DEV_SECTION);
    expect(dev.length).toBeGreaterThan(0);
    expect(
      dev.filter((e) => schemaVariables.has(e.name) || !sources.includes(e.name)).map((e) => e.name),
    ).toEqual([]);
  });

  it("as written, configures each service exactly as no variable at all does", () => {
    const active = Object.fromEntries(
      entries.filter((e) => e.active && e.section !== DEV_SECTION).map((e) => [e.name, e.value]),
    );
    expect(loadApiConfig(active)).toEqual(loadApiConfig({}));
    const needed = { REDIS_URL: "redis://127.0.0.1:6399", KAFKA_BROKERS: "127.0.0.1:9192" };
    expect(loadIngestConfig({ ...active, ...needed })).toEqual(loadIngestConfig(needed));
  });
});
