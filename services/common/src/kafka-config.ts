import { readFileSync } from "node:fs";
import { Type } from "@sinclair/typebox";
import type { KafkaConfig, SASLOptions } from "kafkajs";
import { envInt, envOneOf, envText } from "./env.ts";

/**
 * How a service reaches Kafka beyond its brokers: TLS, SASL, and the shape of the topics it
 * creates. Both services spread these properties into their configuration schema, so one set of
 * variables configures both (documented once in .env.example).
 */
export const kafkaConnectionSchema = {
  kafkaSsl: envOneOf("KAFKA_SSL", ["false", "true"], "false"),
  /** PEM files; unset: the system's trusted CAs, no client certificate. */
  kafkaSslCaFile: Type.Optional(envText("KAFKA_SSL_CA_FILE")),
  kafkaSslCertFile: Type.Optional(envText("KAFKA_SSL_CERT_FILE")),
  kafkaSslKeyFile: Type.Optional(envText("KAFKA_SSL_KEY_FILE")),
  kafkaSslRejectUnauthorized: envOneOf("KAFKA_SSL_REJECT_UNAUTHORIZED", ["true", "false"], "true"),
  kafkaSaslMechanism: envOneOf(
    "KAFKA_SASL_MECHANISM",
    ["none", "plain", "scram-sha-256", "scram-sha-512"],
    "none",
  ),
  kafkaSaslUsername: Type.Optional(envText("KAFKA_SASL_USERNAME")),
  kafkaSaslPassword: Type.Optional(envText("KAFKA_SASL_PASSWORD")),
  /** Used only when a topic is missing; an existing topic is left as it is. */
  kafkaTopicPartitions: envInt("KAFKA_TOPIC_PARTITIONS", 3, 1, 10_000),
  /** -1: the broker's default.replication.factor. */
  kafkaTopicReplicationFactor: envInt("KAFKA_TOPIC_REPLICATION_FACTOR", -1, -1, 32),
};

export interface KafkaConnection {
  readonly kafkaSsl: "true" | "false";
  readonly kafkaSslCaFile?: string | undefined;
  readonly kafkaSslCertFile?: string | undefined;
  readonly kafkaSslKeyFile?: string | undefined;
  readonly kafkaSslRejectUnauthorized: "true" | "false";
  readonly kafkaSaslMechanism: "none" | "plain" | "scram-sha-256" | "scram-sha-512";
  readonly kafkaSaslUsername?: string | undefined;
  readonly kafkaSaslPassword?: string | undefined;
  readonly kafkaTopicPartitions: number;
  readonly kafkaTopicReplicationFactor: number;
}

/** Cross-field checks for loadEnv's `finish`: each problem names the variables, never their values. */
export function kafkaConnectionProblems(c: KafkaConnection, problem: (message: string) => void): void {
  if (c.kafkaSaslMechanism !== "none" && (!c.kafkaSaslUsername || !c.kafkaSaslPassword))
    problem(`KAFKA_SASL_MECHANISM=${c.kafkaSaslMechanism} needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD`);
  if (c.kafkaSsl === "false" && (c.kafkaSslCaFile || c.kafkaSslCertFile || c.kafkaSslKeyFile))
    problem("KAFKA_SSL_CA_FILE, KAFKA_SSL_CERT_FILE or KAFKA_SSL_KEY_FILE is set but KAFKA_SSL is not true");
  if (Boolean(c.kafkaSslCertFile) !== Boolean(c.kafkaSslKeyFile))
    problem("KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together");
}

/**
 * The kafkajs `ssl` and `sasl` options the configuration asks for. Certificate files are read here,
 * once, at start (`readFile` is injectable so the mapping is testable without files).
 */
export function kafkaSecurityOptions(
  c: KafkaConnection,
  readFile: (path: string) => string = (p) => readFileSync(p, "utf8"),
): Pick<KafkaConfig, "ssl" | "sasl"> {
  const out: { ssl?: KafkaConfig["ssl"]; sasl?: SASLOptions } = {};
  if (c.kafkaSsl === "true") {
    const files = {
      ...(c.kafkaSslCaFile ? { ca: [readFile(c.kafkaSslCaFile)] } : {}),
      ...(c.kafkaSslCertFile ? { cert: readFile(c.kafkaSslCertFile) } : {}),
      ...(c.kafkaSslKeyFile ? { key: readFile(c.kafkaSslKeyFile) } : {}),
    };
    const rejectUnauthorized = c.kafkaSslRejectUnauthorized === "true";
    out.ssl = Object.keys(files).length === 0 && rejectUnauthorized ? true : { rejectUnauthorized, ...files };
  }
  if (c.kafkaSaslMechanism !== "none") {
    out.sasl = {
      mechanism: c.kafkaSaslMechanism,
      username: c.kafkaSaslUsername ?? "",
      password: c.kafkaSaslPassword ?? "",
    } as SASLOptions;
  }
  return out;
}

/** What ensureTopics creates a missing topic with. */
export function topicSettings(c: KafkaConnection): { partitions: number; replicationFactor: number } {
  return { partitions: c.kafkaTopicPartitions, replicationFactor: c.kafkaTopicReplicationFactor };
}
