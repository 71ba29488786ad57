// An HTTP client for the drain tests, on node:http so that what a load balancer sees is visible:
// the Connection header of each answer, and a failed request's socket error code (ECONNREFUSED:
// the connection was never accepted; ECONNRESET or a hang-up: accepted, then cut).
import { type Agent, type ClientRequest, type IncomingHttpHeaders, request } from "node:http";
import { connect } from "node:net";
import { topicNames } from "@riskgate/feature-store/events";
import { bearer, TOKENS } from "@riskgate/test-support/api-harness";
import { freePort, ServiceProcess } from "@riskgate/test-support/service-process";
import { kafkaBrokers, redisUrl, uniquePrefix, uniqueTopic, waitFor } from "@riskgate/test-support/services";

/**
 * The real main.ts on the shared Redis and Kafka (its own key prefix and topics, handed to
 * `onTopics` for the test to delete), stopping with the given drain; resolves once every worker
 * (`workers`, default 1) has logged that it is ready.
 */
export async function startDrainingApi(opts: {
  drainMs: number;
  inFlightMs: number;
  workers?: number;
  onTopics: (topics: string[]) => void;
}): Promise<{ api: ServiceProcess; port: number }> {
  const port = await freePort();
  const topicPrefix = `${uniqueTopic("api-drain")}.`;
  const names = topicNames(topicPrefix);
  opts.onTopics([names.decisions, names.input.labels]);
  const workers = opts.workers ?? 1;
  const api = new ServiceProcess("services/scoring-api/src/main.ts", {
    PORT: String(port),
    SCORING_WORKERS: String(workers),
    REDIS_URL: redisUrl(),
    REDIS_KEY_PREFIX: uniquePrefix("api-drain"),
    KAFKA_BROKERS: kafkaBrokers().join(","),
    KAFKA_TOPIC_PREFIX: topicPrefix,
    KAFKAJS_NO_PARTITIONER_WARNING: "1",
    RISKGATE_API_KEYS: `score:${TOKENS.score}`,
    // Every checkout must be answered 200: a test box's load must not make admission shed them.
    ADMISSION_DEGRADE_LAG_MS: "60000",
    ADMISSION_SHED_LAG_MS: "60000",
    ADMISSION_DEGRADE_SLOW_MS: "60000",
    SHUTDOWN_DRAIN_MS: String(opts.drainMs),
    SHUTDOWN_IN_FLIGHT_MS: String(opts.inFlightMs),
  });
  await api.waitForLog("scoring-api ready", 60_000);
  await waitFor(() => api.logged("scoring-api ready").length >= workers || !api.running, {
    timeoutMs: 60_000,
    what: `${workers} workers ready`,
  });
  if (!api.running) throw new Error(`exited with ${api.exitCode}:\n${api.stdout.join("\n")}`);
  return { api, port };
}

export const readyz = { method: "GET", path: "/readyz" } as const;

export type Outcome =
  | { readonly status: number; readonly body: string; readonly headers: IncomingHttpHeaders }
  | { readonly error: string };

export const answered = (o: Outcome): o is Extract<Outcome, { status: number }> => "status" in o;

export interface Call {
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly body?: object;
  /** Default: a connection of its own, closed after the answer (a balancer's health probe). */
  readonly agent?: Agent;
}

const headersFor = (call: Call, length?: number): Record<string, string> => ({
  ...bearer(TOKENS.score),
  ...(call.agent ? {} : { connection: "close" }),
  ...(length !== undefined ? { "content-type": "application/json", "content-length": String(length) } : {}),
});

function settle(req: ClientRequest): Promise<Outcome> {
  return new Promise((resolve) => {
    req.on("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => {
        body += d;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      res.on("error", (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    });
    req.on("error", (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
  });
}

/** One request to 127.0.0.1:`port`; never rejects. */
export function send(port: number, call: Call): Promise<Outcome> {
  const payload = call.body ? Buffer.from(JSON.stringify(call.body)) : undefined;
  const req = request({
    host: "127.0.0.1",
    port,
    method: call.method,
    path: call.path,
    headers: headersFor(call, payload?.length),
    ...(call.agent ? { agent: call.agent } : {}),
  });
  const outcome = settle(req);
  req.end(payload);
  return outcome;
}

/**
 * A POST whose headers and first half of the body go now; `finish()` sends the rest. The server
 * has the request (routed, in flight) from the first half on.
 */
export function sendInTwoHalves(
  port: number,
  path: string,
  body: object,
): { finish(): void; outcome: Promise<Outcome> } {
  const payload = Buffer.from(JSON.stringify(body));
  const half = Math.floor(payload.length / 2);
  const req = request({
    host: "127.0.0.1",
    port,
    method: "POST",
    path,
    headers: headersFor({ method: "POST", path }, payload.length),
  });
  const outcome = settle(req);
  req.flushHeaders();
  req.write(payload.subarray(0, half));
  return { finish: () => req.end(payload.subarray(half)), outcome };
}

/** True when a new connection to the port is refused: nothing listens there (any more). */
export function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", (err: NodeJS.ErrnoException) => resolve(err.code === "ECONNREFUSED"));
  });
}

/** Resolves after `ms`. The drain tests pace their probes like a balancer does, in real time. */
export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
