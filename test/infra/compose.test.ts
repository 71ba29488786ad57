// docker-compose.yml against the Compose specification's JSON Schema (no Docker engine here), plus
// the wiring the issue asks for: services, healthchecks, depends_on conditions, env names, mounts.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { sharedDir } from "@riskgate/test-support/shared-dir";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

const ROOT = resolve(import.meta.dirname, "../..");
const SCHEMA = resolve(sharedDir(), "schemas/compose-spec.json");
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const draft07 = createRequire(import.meta.url)("ajv/dist/refs/json-schema-draft-07.json") as object;

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  environment?: Record<string, string | number>;
  healthcheck?: { test: string[] | string };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
}
type Compose = { services: Record<string, Service>; [k: string]: unknown };

describe("docker-compose.yml", () => {
  let validate: ValidateFunction;
  let compose: Compose;
  beforeAll(() => {
    // Never skipped: CI has shared/ next to the clone, and a missing schema is a failure there.
    if (!existsSync(SCHEMA))
      throw new Error(`${SCHEMA} not found: put shared/ next to the repo or set RISKGATE_SHARED_DIR`);
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    // The spec names its meta-schema https://json-schema.org/draft-07/schema; Ajv ships draft-07 under
    // the http:// id. Register it under the spec's id too, so the schema itself is still validated.
    ajv.addMetaSchema({ ...draft07, $id: "https://json-schema.org/draft-07/schema" });
    validate = ajv.compile(JSON.parse(readFileSync(SCHEMA, "utf8")));
    // merge: true resolves the `<<: *riskgate-env` keys the way Compose does.
    compose = parse(readFileSync(resolve(ROOT, "docker-compose.yml"), "utf8"), { merge: true }) as Compose;
  });

  it("validates against the Compose specification schema", () => {
    const ok = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it("fails validation when broken (the check can fail)", () => {
    const broken = structuredClone(compose);
    const api = broken.services["scoring-api"] as Record<string, unknown>;
    api.depends_on = { redis: { condition: "when_it_feels_like_it" } };
    api.ports = [{ target: "eighty" }];
    api.healthcheck = { test: ["CMD", "true"], intervall: "5s" };
    expect(validate(broken)).toBe(false);
    const paths = (validate.errors ?? []).map((e) => e.instancePath);
    expect(paths.some((p) => p.startsWith("/services/scoring-api/depends_on"))).toBe(true);
    expect(paths.some((p) => p.startsWith("/services/scoring-api/healthcheck"))).toBe(true);
  });

  it("runs the stack the issue names, each long-running service with a healthcheck", () => {
    const names = Object.keys(compose.services);
    for (const s of ["redis", "kafka", "scoring-api", "feature-ingest", "prometheus", "grafana"]) {
      expect(names).toContain(s);
      expect(compose.services[s]?.healthcheck, s).toBeDefined();
    }
    expect(compose.services.kafka?.image).toBe("apache/kafka:3.9.1");
    expect(compose.services.kafka?.environment?.KAFKA_PROCESS_ROLES).toBe("broker,controller");
    for (const s of ["scoring-api", "feature-ingest"]) {
      expect(compose.services[s]?.build?.dockerfile).toBe("infra/docker/Dockerfile");
      expect(existsSync(resolve(ROOT, "infra/docker/Dockerfile"))).toBe(true);
      expect(compose.services[s]?.depends_on?.redis?.condition).toBe("service_healthy");
    }
  });

  it("uses only environment names .env.example documents (plus the container-only ones)", () => {
    const documented = new Set(
      [...readFileSync(resolve(ROOT, ".env.example"), "utf8").matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map(
        (m) => m[1],
      ),
    );
    for (const s of ["scoring-api", "feature-ingest"]) {
      for (const name of Object.keys(compose.services[s]?.environment ?? {})) {
        if (name === "KAFKAJS_NO_PARTITIONER_WARNING") continue; // a kafkajs switch, not ours
        expect(documented, `${s}: ${name}`).toContain(name);
      }
    }
  });

  it("mounts the Prometheus and Grafana folders that exist", () => {
    const mounts = ["prometheus", "grafana"].flatMap((s) => compose.services[s]?.volumes ?? []);
    const local = mounts.filter((v) => v.startsWith("./")).map((v) => v.split(":")[0] as string);
    expect(local).toEqual([
      "./infra/prometheus",
      "./infra/grafana/provisioning",
      "./infra/grafana/dashboards",
    ]);
    for (const path of local) expect(existsSync(resolve(ROOT, path)), path).toBe(true);
  });
});
