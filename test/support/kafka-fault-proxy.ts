// A TCP proxy in front of the dev broker that reads the Kafka protocol's frames and, when armed,
// answers a produce request the broker accepted as if one of its partitions had been refused with
// NOT_ENOUGH_REPLICAS_AFTER_APPEND (the records are in the log, the client is told to retry): kafkajs
// then retries the whole request, every partition of it; or holds a topic's produce answers back (a
// slow partition). A client reaches the broker only through the proxy (kafkajs's socketFactory), its
// bootstrap and the broker address the metadata names.
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import type { Kafka, KafkaConfig } from "kafkajs";
import { createKafka, kafkaBrokers } from "./services.ts";

const PRODUCE = 0;
/** Appended to the leader's log, too few in-sync replicas afterwards; kafkajs retries it. */
const NOT_ENOUGH_REPLICAS_AFTER_APPEND = 20;
/** Produce responses before v9 (non-flexible): the only ones kafkajs 2.2.4 speaks (v0-v7). */
const MAX_PLAIN_PRODUCE_VERSION = 8;

/** Splits a byte stream into Kafka frames (a 4-byte size, then that many bytes). */
class Frames {
  private pending: Buffer = Buffer.alloc(0);
  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Buffer[] = [];
    while (this.pending.length >= 4) {
      const size = this.pending.readInt32BE(0);
      if (this.pending.length < 4 + size) break;
      frames.push(this.pending.subarray(0, 4 + size));
      this.pending = this.pending.subarray(4 + size);
    }
    return frames;
  }
}

/**
 * The first partition's error code in a produce response frame, v3-v8: size, correlation id,
 * responses count, topic name (int16 length), partitions count, partition id, then the int16 code.
 */
function firstPartitionErrorOffset(frame: Buffer): number | undefined {
  const topics = frame.readInt32BE(8);
  if (topics < 1) return undefined;
  const nameLength = frame.readInt16BE(12);
  const partitionsAt = 14 + nameLength;
  if (frame.readInt32BE(partitionsAt) < 1) return undefined;
  return partitionsAt + 8;
}

/** The first topic's name in a produce response frame (v3-v8), as firstPartitionErrorOffset reads it. */
function firstTopic(frame: Buffer): string | undefined {
  if (frame.readInt32BE(8) < 1) return undefined;
  return frame.toString("utf8", 14, 14 + frame.readInt16BE(12));
}

/** A produce response this proxy can read (v3-v8), for `topic` when one is given. */
function isProduceFor(
  topic: string | undefined,
  frame: Buffer,
  api: { key: number; version: number } | undefined,
): boolean {
  if (api?.key !== PRODUCE || api.version < 3 || api.version > MAX_PLAIN_PRODUCE_VERSION) return false;
  return topic === undefined || firstTopic(frame) === topic;
}

export class KafkaFaultProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private armed = 0;
  /** Only produce responses for this topic are refused (unset: any). */
  private onlyTopic: string | undefined;
  /** Produce responses for this topic are held back (holdProduce). */
  private holding: string | undefined;
  /** Sends each connection's held responses on, in order. */
  private readonly releases = new Set<() => void>();
  /** Produce responses rewritten so far. */
  refused = 0;
  /** Responses held back so far (holdProduce). */
  heldBack = 0;
  readonly port: number;

  private constructor(server: Server, port: number) {
    this.server = server;
    this.port = port;
  }

  /** In front of the dev broker (KAFKA_BROKERS' first; the dev stack runs one). */
  static async start(): Promise<KafkaFaultProxy> {
    const [host, port] = (kafkaBrokers()[0] as string).split(":");
    let proxy: KafkaFaultProxy | undefined;
    const server = createServer((client) => proxy?.forward(client, host ?? "127.0.0.1", Number(port)));
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", () => ok()));
    proxy = new KafkaFaultProxy(server, (server.address() as { port: number }).port);
    return proxy;
  }

  /** A kafkajs client whose every connection goes through the proxy. */
  kafka(name: string, overrides: Partial<KafkaConfig> = {}): Kafka {
    return createKafka(name, {
      ...overrides,
      socketFactory: ({ onConnect }) => tcpConnect({ host: "127.0.0.1", port: this.port }, onConnect),
    });
  }

  /**
   * The next `count` produce responses that carry a partition come back refused on their first one;
   * with `topic`, only responses for that topic (other topics' answers pass, and do not count).
   */
  refuseNextProduce(count = 1, topic?: string): void {
    this.armed += count;
    this.onlyTopic = topic;
  }

  /**
   * Answers to produce requests for `topic` are held back, and every later answer on the same
   * connection (a connection answers in order): the broker has appended the records, the client
   * waits for its answer, as with a slow partition, until `release()` or its request timeout.
   */
  holdProduce(topic: string): void {
    this.holding = topic;
  }

  /** Holds nothing more; what was held goes out now, in order. */
  release(): void {
    this.holding = undefined;
    for (const r of this.releases) r();
    this.releases.clear();
  }

  /** Refuses nothing more. */
  disarm(): void {
    this.armed = 0;
    this.onlyTopic = undefined;
  }

  private forward(client: Socket, host: string, port: number): void {
    const upstream = tcpConnect({ host, port });
    const apiKeys = new Map<number, { key: number; version: number }>();
    const requests = new Frames();
    const responses = new Frames();
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on("error", () => {});
      s.on("close", () => {
        this.sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on("data", (chunk: Buffer) => {
      for (const frame of requests.push(chunk)) {
        // Request header: size, api key, api version, correlation id.
        apiKeys.set(frame.readInt32BE(8), { key: frame.readInt16BE(4), version: frame.readInt16BE(6) });
        upstream.write(frame);
      }
    });
    let held: Buffer[] | undefined;
    upstream.on("data", (chunk: Buffer) => {
      for (const frame of responses.push(chunk)) {
        const correlationId = frame.readInt32BE(4);
        const api = apiKeys.get(correlationId);
        apiKeys.delete(correlationId);
        const answer = this.maybeRefuse(frame, api);
        if (!held && this.holding !== undefined && isProduceFor(this.holding, answer, api)) {
          held = [];
          this.releases.add(() => {
            const frames = held ?? [];
            held = undefined;
            for (const f of frames) client.write(f);
          });
        }
        if (held) {
          held.push(answer);
          this.heldBack++;
        } else client.write(answer);
      }
    });
  }

  private maybeRefuse(frame: Buffer, api: { key: number; version: number } | undefined): Buffer {
    if (this.armed === 0 || !isProduceFor(undefined, frame, api)) return frame;
    const at = firstPartitionErrorOffset(frame);
    if (at === undefined || frame.readInt16BE(at) !== 0) return frame;
    if (!isProduceFor(this.onlyTopic, frame, api)) return frame;
    this.armed--;
    this.refused++;
    const copy = Buffer.from(frame);
    copy.writeInt16BE(NOT_ENOUGH_REPLICAS_AFTER_APPEND, at);
    return copy;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((ok) => this.server.close(ok));
  }
}
