// Summarises a V8 .cpuprofile (bench:score --profile): the busy share of the top frames by self
// time, and of a few groups by inclusive time (a frame counts once per sample however deep).
// usage: node services/scoring-api/bench/profile-top.ts <file.cpuprofile> [--top 25]
import { readFileSync } from "node:fs";
import { cliArgs } from "@riskgate/feature-store/cli-args";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
}

const { values, positionals } = cliArgs(import.meta.url, {
  allowPositionals: true,
  options: { top: { type: "string", default: "25" } },
});
const profile = JSON.parse(readFileSync(positionals[0] as string, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const IDLE = new Set(["(idle)", "(program)", "(garbage collector)"]);
const label = (n: ProfileNode) => {
  const f = n.callFrame;
  const where = f.url.replace(/^.*\/(node_modules|work\/wt\/[^/]+)\//, "").replace(/^node:/, "node:");
  return `${f.functionName || "(anonymous)"} ${where}:${f.lineNumber + 1}`;
};

const self = new Map<string, number>();
const groups = new Map<string, number>();
const GROUPS: [string, RegExp][] = [
  ["redis (ioredis)", /ioredis|redis-parser|denque/],
  ["kafka (kafkajs)", /kafkajs/],
  ["fastify + http", /fastify|find-my-way|light-my-request|node:_http|node:http/],
  ["socket writes", /writeGeneric|writev|writeBuffer|writeUtf8String|_writeGeneric/],
  ["validation (events decode)", /feature-store\/src\/events|typebox/],
  ["metrics (prom-client)", /prom-client/],
  ["model (onnx)", /onnxruntime|onnx-model/],
  ["rules (cel)", /cel-js|src\/rules\//],
  ["drift", /src\/drift\//],
  ["features (definitions)", /feature-store\/src\/definitions/],
];
let busy = 0;
let gc = 0;
for (const id of profile.samples) {
  const node = byId.get(id) as ProfileNode;
  const name = node.callFrame.functionName;
  if (name === "(idle)" || name === "(program)") continue;
  busy++;
  if (name === "(garbage collector)") gc++;
  const key = label(node);
  self.set(key, (self.get(key) ?? 0) + 1);
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const n = byId.get(cur) as ProfileNode;
    const text = `${n.callFrame.url} ${n.callFrame.functionName}`;
    for (const [g, re] of GROUPS) if (!seen.has(g) && re.test(text)) seen.add(g);
  }
  for (const g of seen) groups.set(g, (groups.get(g) ?? 0) + 1);
}
const pct = (n: number) => `${((100 * n) / busy).toFixed(1)}%`.padStart(6);
process.stdout.write(`busy samples ${busy}, garbage collector ${pct(gc)}\n\nself time:\n`);
const top = [...self].filter(([k]) => !IDLE.has(k.split(" ")[0] as string) || k.startsWith("(garbage"));
for (const [k, n] of top.sort((a, b) => b[1] - a[1]).slice(0, Number(values.top)))
  process.stdout.write(`${pct(n)}  ${k}\n`);
process.stdout.write("\ninclusive, by group:\n");
for (const [g, n] of [...groups].sort((a, b) => b[1] - a[1])) process.stdout.write(`${pct(n)}  ${g}\n`);
