// infra/k8s held to the code it deploys. No cluster runs here (no Docker, no kind): the manifests are
// validated, never applied. Each check fails when the files and the code drift apart: the schemas
// (kubernetes-validate, offline, in the training venv), the environment (through the services' own
// config parsers), the probes (on the real app), the grace periods (the shutdown bound main.ts
// reports for this environment), the memory limits (V8's heap limit of the flags each pod runs).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { envVariables } from "@riskgate/common/env";
import { loadApiConfig } from "@riskgate/scoring-api/config";
import { startApi } from "@riskgate/test-support/api-harness";
import { afterEach, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import {
  type Container,
  containerOf,
  dockerfileCmd,
  dummySecret,
  environmentOf,
  find,
  heapLimitMib,
  K8S_DIR,
  mebibytes,
  podTemplate,
  probePort,
  ROOT,
  readKustomization,
  readResources,
  SERVICES,
  secretNames,
  validateSchemas,
} from "./k8s-files.ts";

/** The oldest Kubernetes the README promises and the newest kubernetes-validate 1.37.0 bundles. */
const K8S_VERSIONS = ["1.30", "1.37"];
/** Resident memory outside V8's heap, measured at start (RSS less heap total, 2026-11-30). */
const OUTSIDE_HEAP_MIB: Record<string, number> = { "scoring-api": 113, "feature-ingest": 82 };
/** Sockets, request bodies and fetched batches under load, on top of that. */
const LOAD_MARGIN_MIB = 64;
/** Allowance for an endpoint removal to reach kube-proxy and ingress controllers. */
const ENDPOINT_PROPAGATION_MS = 5_000;
/** The scoring API's live heap at 1,000 checkouts/s (infra/docker/Dockerfile, measured with bench:score). */
const API_LIVE_HEAP_MB = 35;

const resources = readResources();
const envOf = (c: Container) => environmentOf(resources, c, dummySecret);

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

describe("infra/k8s", () => {
  it("applies every manifest in the folder, with the image of infra/docker/Dockerfile and no secret value", () => {
    const files = readdirSync(K8S_DIR).filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml");
    expect([...readKustomization().resources].sort()).toEqual(files.sort());
    expect(resources.filter((r) => r.kind === "Secret").map((r) => r.metadata.name)).toEqual([]);
    const image = readKustomization().images.map((i) => i.name);
    for (const s of SERVICES) {
      expect(image).toContain(containerOf(resources, s.name).image);
      const env = containerOf(resources, s.name).env ?? [];
      for (const e of env.filter((v) => v.valueFrom?.secretKeyRef))
        expect(e.valueFrom?.secretKeyRef?.name, e.name).toBe("riskgate-secrets");
    }
    expect(secretNames(containerOf(resources, "scoring-api")).sort()).toEqual([
      "ID_HASH_KEY",
      "RISKGATE_API_KEYS",
    ]);
    expect(secretNames(containerOf(resources, "feature-ingest"))).toEqual(["ID_HASH_KEY"]);
  });

  it.each(K8S_VERSIONS)(
    "validates against the Kubernetes %s OpenAPI schemas, offline and strict",
    (version) => {
      const files = readKustomization().resources.map((f) => resolve(K8S_DIR, f));
      const result = validateSchemas(version, files);
      expect(result.errors).toEqual([]);
      expect(result.documents).toBe(resources.length);
    },
  );

  it("fails the schema check for a broken manifest (the check can fail)", () => {
    const dir = mkdtempSync(join(tmpdir(), "k8s-broken-"));
    cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
    const read = (f: string) => parse(readFileSync(resolve(K8S_DIR, f), "utf8"));
    const deployment = read("feature-ingest.yaml");
    deployment.spec.replicas = "three";
    // Strict: a misspelt field is an error, not ignored as kubectl's client side would.
    const service = read("scoring-api-service.yaml");
    service.spec.sessionAfinity = "None";
    const file = join(dir, "broken.yaml");
    writeFileSync(file, `${stringify(deployment)}---\n${stringify(service)}`);
    const { errors } = validateSchemas(K8S_VERSIONS[1] as string, [file]);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/Deployment\/feature-ingest: spec\.replicas: 'three' is not of type 'integer'/);
    expect(errors[1]).toMatch(/Service\/scoring-api: spec: .*'sessionAfinity' was unexpected/);
  });

  for (const s of SERVICES) {
    it(`${s.name}: sets only variables the service reads and .env.example documents, and its parser accepts them`, () => {
      const env = envOf(containerOf(resources, s.name));
      const read = new Set(envVariables(s.schema).map((v) => v.name));
      const documented = readFileSync(resolve(ROOT, ".env.example"), "utf8");
      for (const name of Object.keys(env)) {
        expect(read, `${s.name} does not read ${name}`).toContain(name);
        expect(documented, `.env.example does not document ${name}`).toMatch(
          new RegExp(`^#? ?${name}=`, "m"),
        );
      }
      expect(() => s.load(env)).not.toThrow();
    });
  }

  it("scoring-api: the container port is the configured one, and the probes answer as expected on the real app", async () => {
    const c = containerOf(resources, "scoring-api");
    const env = envOf(c);
    const config = loadApiConfig(env);
    expect(c.ports.map((p) => p.containerPort)).toEqual([config.port]);
    for (const probe of [c.startupProbe, c.readinessProbe, c.livenessProbe])
      expect(probe && probePort(c, probe)).toBe(config.port);
    const service = find(resources, "Service", "scoring-api").spec as { ports: { targetPort: string }[] };
    expect(service.ports.map((p) => p.targetPort)).toEqual([c.ports[0]?.name]);

    // The harness wires Redis, Kafka, keys and prefixes of its own; the rest is the manifest's.
    const { REDIS_URL, KAFKA_BROKERS, REDIS_KEY_PREFIX, KAFKA_TOPIC_PREFIX, RISKGATE_API_KEYS, ...rest } =
      env;
    // The drain begins below by hand; a 0 ms one lets the harness close at once.
    const h = await startApi({ redis: true, env: { ...rest, SHUTDOWN_DRAIN_MS: "0" } });
    cleanup.push(() => h.close());
    const get = async (path: string | undefined) => h.app.inject({ method: "GET", url: path as string });
    expect((await get(c.startupProbe?.httpGet.path)).statusCode).toBe(200);
    expect((await get(c.livenessProbe?.httpGet.path)).statusCode).toBe(200);
    expect((await get(c.readinessProbe?.httpGet.path)).json()).toMatchObject({ ready: true });
    // From SIGTERM (the drain's first step): not ready, still alive, still serving.
    h.drain.begin();
    const readiness = await get(c.readinessProbe?.httpGet.path);
    expect(readiness.statusCode).toBe(503);
    expect(readiness.json()).toMatchObject({ ready: false, problems: ["shutting_down"] });
    expect((await get(c.livenessProbe?.httpGet.path)).statusCode).toBe(200);
    const annotations = podTemplate(resources, "scoring-api").metadata.annotations;
    expect((await get(annotations["prometheus.io/path"])).statusCode).toBe(200);
  });

  it("scoring-api: the drain outlasts the readiness probe's failure plus endpoint propagation", () => {
    const c = containerOf(resources, "scoring-api");
    const probe = c.readinessProbe;
    const toFail = (probe?.periodSeconds ?? 10) * (probe?.failureThreshold ?? 3) * 1000;
    expect(loadApiConfig(envOf(c)).shutdownDrainMs).toBeGreaterThanOrEqual(toFail + ENDPOINT_PROPAGATION_MS);
  });

  it("annotates the pods for the Prometheus jobs of infra/prometheus/prometheus.yml", () => {
    const prometheus = parse(readFileSync(resolve(ROOT, "infra/prometheus/prometheus.yml"), "utf8")) as {
      scrape_configs: { job_name: string; metrics_path?: string; static_configs: { targets: string[] }[] }[];
    };
    for (const s of SERVICES) {
      const job = prometheus.scrape_configs.find((j) => j.job_name === s.name);
      const target = job?.static_configs[0]?.targets[0] as string;
      const pod = podTemplate(resources, s.name).metadata;
      // The job name comes from this label (relabelled to `job`, infra/README.md), as the alerts expect.
      expect(pod.labels["app.kubernetes.io/name"]).toBe(job?.job_name);
      expect(pod.annotations["prometheus.io/scrape"]).toBe("true");
      expect(pod.annotations["prometheus.io/path"]).toBe(job?.metrics_path ?? "/metrics");
      expect(pod.annotations["prometheus.io/port"]).toBe(target.split(":")[1]);
      expect(containerOf(resources, s.name).ports.map((p) => String(p.containerPort))).toContain(
        pod.annotations["prometheus.io/port"],
      );
    }
  });

  it("points the autoscaler, the disruption budgets and the Service at the Deployments' pods", () => {
    const labels = (d: string) => podTemplate(resources, d).metadata.labels;
    const selects = (selector: Record<string, string>, d: string) =>
      Object.entries(selector).every(([k, v]) => labels(d)[k] === v);
    const hpa = find(resources, "HorizontalPodAutoscaler", "scoring-api").spec as {
      scaleTargetRef: { kind: string; name: string };
      metrics: { resource: { name: string } }[];
    };
    expect(hpa.scaleTargetRef).toMatchObject({ kind: "Deployment", name: "scoring-api" });
    expect(hpa.metrics.map((m) => m.resource.name)).toEqual(["cpu"]);
    // Utilization is relative to the request: without one the autoscaler cannot act.
    expect(containerOf(resources, "scoring-api").resources.requests.cpu).toBeDefined();
    // The autoscaler owns the count: a replicas field would be reset by every kubectl apply.
    expect(find(resources, "Deployment", "scoring-api").spec).not.toHaveProperty("replicas");
    for (const s of SERVICES) {
      const pdb = find(resources, "PodDisruptionBudget", s.name).spec as {
        selector: { matchLabels: Record<string, string> };
      };
      expect(selects(pdb.selector.matchLabels, s.name), `${s.name} PDB`).toBe(true);
    }
    const service = find(resources, "Service", "scoring-api").spec as { selector: Record<string, string> };
    expect(selects(service.selector, "scoring-api")).toBe(true);
    expect(selects(service.selector, "feature-ingest")).toBe(false);
  });

  it("limits memory above V8's heap limit for the flags each pod runs, plus what lives outside the heap", () => {
    const cmd = dockerfileCmd();
    for (const s of SERVICES) {
      const c = containerOf(resources, s.name);
      // No command or args: the image's CMD (scoring-api). args: the image's entrypoint runs them.
      const argv = c.command ?? c.args ?? cmd;
      expect(argv[0]).toBe("node");
      expect(argv.at(-1)).toBe(s.main);
      const flags = argv.slice(1, -1);
      expect(
        flags.some((f) => f.startsWith("--max-old-space-size=")),
        `${s.name}: heap unbounded`,
      ).toBe(true);
      const need = heapLimitMib(flags) + (OUTSIDE_HEAP_MIB[s.name] as number) + LOAD_MARGIN_MIB;
      expect(mebibytes(c.resources.limits.memory as string), s.name).toBeGreaterThanOrEqual(need);
      expect(mebibytes(c.resources.requests.memory as string)).toBeLessThanOrEqual(
        mebibytes(c.resources.limits.memory as string),
      );
    }
    // The old-space cap leaves the scoring API's GC cadence as measured: room for 5x its live heap,
    // which holds requests only because the features live in Redis (the in-process store would not fit).
    const api = containerOf(resources, "scoring-api");
    const argv = api.command ?? api.args ?? cmd;
    const flag = (name: string) => Number(argv.find((f) => f.startsWith(`${name}=`))?.split("=")[1]);
    const growth = 1 + flag("--heap-growing-percent") / 100;
    expect(flag("--max-old-space-size")).toBeGreaterThanOrEqual(growth * API_LIVE_HEAP_MB);
    expect(envOf(api).REDIS_URL, "scoring-api without REDIS_URL keeps features on the heap").toMatch(
      /^redis/,
    );
  });
});
