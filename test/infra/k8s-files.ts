// Reads infra/k8s as `kubectl apply -k` would see it (the files its kustomization.yaml lists) and
// answers what the manifest tests ask: a Deployment's container, the environment it gets, a probe.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { IngestConfigSchema, loadIngestConfig } from "@riskgate/feature-ingest/config";
import { ApiConfigSchema, loadApiConfig } from "@riskgate/scoring-api/config";
import { parse, parseAllDocuments } from "yaml";

export const ROOT = resolve(import.meta.dirname, "../..");
export const K8S_DIR = resolve(ROOT, "infra/k8s");
const PYTHON = resolve(ROOT, "models/training/.venv/bin/python");
const VALIDATOR = resolve(ROOT, "test/infra/k8s_validate.py");

/** The two Deployments, each with the configuration schema and entry point of its service. */
export const SERVICES = [
  {
    name: "scoring-api",
    schema: ApiConfigSchema,
    load: loadApiConfig,
    main: "services/scoring-api/src/main.ts",
  },
  {
    name: "feature-ingest",
    schema: IngestConfigSchema,
    load: loadIngestConfig,
    main: "services/feature-ingest/src/main.ts",
  },
] as const;

/** What a secret holds in the tests: only its reference is in the manifests. */
export const dummySecret = (name: string) =>
  name === "RISKGATE_API_KEYS"
    ? "score:k8s-manifest-test-key-0001"
    : "k8s-manifest-test-secret-0123456789abcdef";

export interface Resource {
  readonly file: string;
  readonly kind: string;
  readonly metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  readonly [key: string]: unknown;
}

export interface Probe {
  httpGet: { path: string; port: string | number };
  periodSeconds?: number;
  failureThreshold?: number;
  timeoutSeconds?: number;
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
}

export interface Container {
  name: string;
  image: string;
  args?: string[];
  command?: string[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  env?: EnvVar[];
  ports: { name: string; containerPort: number }[];
  startupProbe?: Probe;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources: { requests: Record<string, string>; limits: Record<string, string> };
}

export interface PodTemplate {
  metadata: { labels: Record<string, string>; annotations: Record<string, string> };
  spec: { terminationGracePeriodSeconds: number; containers: Container[] };
}

export interface Kustomization {
  resources: string[];
  images: { name: string; newName?: string; newTag?: string }[];
}

export function readKustomization(): Kustomization {
  return parse(readFileSync(resolve(K8S_DIR, "kustomization.yaml"), "utf8")) as Kustomization;
}

export function readResources(): Resource[] {
  return readKustomization().resources.flatMap((file) =>
    parseAllDocuments(readFileSync(resolve(K8S_DIR, file), "utf8")).map(
      (d) => ({ ...(d.toJS() as object), file }) as Resource,
    ),
  );
}

export function find(resources: Resource[], kind: string, name: string): Resource {
  const found = resources.find((r) => r.kind === kind && r.metadata.name === name);
  if (!found) throw new Error(`infra/k8s has no ${kind} ${name}`);
  return found;
}

export function podTemplate(resources: Resource[], deployment: string): PodTemplate {
  return (find(resources, "Deployment", deployment).spec as { template: PodTemplate }).template;
}

/** The one container of a Deployment's pods. */
export function containerOf(resources: Resource[], deployment: string): Container {
  const containers = podTemplate(resources, deployment).spec.containers;
  if (containers.length !== 1) throw new Error(`${deployment}: expected one container`);
  return containers[0] as Container;
}

/** Names the container's secrets bring in (from secretKeyRef or a whole secretRef). */
export function secretNames(c: Container): string[] {
  return (c.env ?? []).filter((e) => e.valueFrom?.secretKeyRef).map((e) => e.name);
}

/**
 * The environment the container gets from the manifests: its ConfigMaps' data, then `env` (which
 * Kubernetes lets win). A secret is given `dummySecret(name)`: only its reference is in the files.
 */
export function environmentOf(
  resources: Resource[],
  c: Container,
  dummySecret: (name: string) => string,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of c.envFrom ?? []) {
    if (from.secretRef) throw new Error(`${c.name}: envFrom secretRef hides which secrets it reads`);
    const name = from.configMapRef?.name as string;
    Object.assign(env, (find(resources, "ConfigMap", name) as { data?: Record<string, string> }).data ?? {});
  }
  for (const e of c.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.secretKeyRef) env[e.name] = dummySecret(e.name);
    else throw new Error(`${c.name}: ${e.name} is neither a value nor a secret reference`);
  }
  return env;
}

/** A probe's port as a number: named ports are looked up among the container's. */
export function probePort(c: Container, probe: Probe): number {
  const port = probe.httpGet.port;
  if (typeof port === "number") return port;
  const named = c.ports.find((p) => p.name === port);
  if (!named) throw new Error(`${c.name}: probe names port ${port}, which the container does not declare`);
  return named.containerPort;
}

/** "640Mi" → 640; the manifests give memory in Mi or Gi only. */
export function mebibytes(quantity: string): number {
  const m = /^(\d+)(Mi|Gi)$/.exec(quantity);
  if (!m) throw new Error(`memory quantity ${quantity}: write it in Mi or Gi`);
  return Number(m[1]) * (m[2] === "Gi" ? 1024 : 1);
}

/** The Dockerfile's CMD (JSON form), which a Deployment without command/args runs. */
export function dockerfileCmd(): string[] {
  const text = readFileSync(resolve(ROOT, "infra/docker/Dockerfile"), "utf8");
  const line = text.split("\n").find((l) => l.startsWith("CMD "));
  if (!line) throw new Error("infra/docker/Dockerfile has no CMD");
  return JSON.parse(line.slice(4)) as string[];
}

/** Offline schema check (test/infra/k8s_validate.py, kubernetes-validate in the training venv). */
export function validateSchemas(version: string, files: string[]): { documents: number; errors: string[] } {
  if (!existsSync(PYTHON))
    throw new Error(`${PYTHON} not found: build the venv with bash infra/dev/python-venv.sh`);
  const r = spawnSync(PYTHON, [VALIDATOR, version, ...files], { encoding: "utf8" });
  if (r.status !== 0 && r.status !== 1 && r.status !== 3)
    throw new Error(`k8s_validate.py exited ${r.status}: ${r.stderr}`);
  const out = JSON.parse(r.stdout) as { documents: number; errors: string[]; missing?: string };
  if (r.status === 3)
    throw new Error(
      `kubernetes-validate missing in the venv (${out.missing}): run bash infra/dev/python-venv.sh`,
    );
  return out;
}

/** V8's heap_size_limit, in MiB, for these node flags (the Node the tests run on: the image's 24). */
export function heapLimitMib(flags: string[]): number {
  const r = spawnSync(
    process.execPath,
    [...flags, "-e", "process.stdout.write(String(require('node:v8').getHeapStatistics().heap_size_limit))"],
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`node ${flags.join(" ")}: ${r.stderr}`);
  return Number(r.stdout) / 2 ** 20;
}
