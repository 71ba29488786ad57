// The Kafka variables of both services map onto the kafkajs client options, and bad combinations
// are refused at start naming the variables.
import { kafkaSecurityOptions, topicSettings } from "@riskgate/common/kafka-config";
import { loadIngestConfig } from "@riskgate/feature-ingest/config";
import { loadApiConfig } from "@riskgate/scoring-api/config";
import { describe, expect, it } from "vitest";

const INGEST_REQUIRED = { REDIS_URL: "redis://127.0.0.1:6379", KAFKA_BROKERS: "b1:9092" };
const files: Record<string, string> = { "/ca.pem": "CA", "/cert.pem": "CERT", "/key.pem": "KEY" };
const readFile = (p: string) => files[p] ?? "";

describe.each([
  ["scoring-api", (env: Record<string, string>) => loadApiConfig(env)],
  ["feature-ingest", (env: Record<string, string>) => loadIngestConfig({ ...INGEST_REQUIRED, ...env })],
] as const)("%s Kafka configuration", (_service, load) => {
  it("defaults to plaintext without SASL, 3 partitions and the broker's replication factor", () => {
    const c = load({});
    expect(kafkaSecurityOptions(c, readFile)).toEqual({});
    expect(topicSettings(c)).toEqual({ partitions: 3, replicationFactor: -1 });
  });

  it("maps TLS with the system CAs to ssl: true", () => {
    expect(kafkaSecurityOptions(load({ KAFKA_SSL: "true" }), readFile)).toEqual({ ssl: true });
  });

  it("maps TLS files and verification to the ssl options, read at start", () => {
    const c = load({
      KAFKA_SSL: "true",
      KAFKA_SSL_CA_FILE: "/ca.pem",
      KAFKA_SSL_CERT_FILE: "/cert.pem",
      KAFKA_SSL_KEY_FILE: "/key.pem",
      KAFKA_SSL_REJECT_UNAUTHORIZED: "false",
    });
    expect(kafkaSecurityOptions(c, readFile)).toEqual({
      ssl: { rejectUnauthorized: false, ca: ["CA"], cert: "CERT", key: "KEY" },
    });
  });

  it.each(["plain", "scram-sha-256", "scram-sha-512"])("maps SASL %s to the sasl options", (mechanism) => {
    const c = load({
      KAFKA_SSL: "true",
      KAFKA_SASL_MECHANISM: mechanism,
      KAFKA_SASL_USERNAME: "ingest",
      KAFKA_SASL_PASSWORD: "s3cret-value",
      KAFKA_TOPIC_PARTITIONS: "12",
      KAFKA_TOPIC_REPLICATION_FACTOR: "3",
    });
    expect(kafkaSecurityOptions(c, readFile)).toEqual({
      ssl: true,
      sasl: { mechanism, username: "ingest", password: "s3cret-value" },
    });
    expect(topicSettings(c)).toEqual({ partitions: 12, replicationFactor: 3 });
  });

  it("refuses SASL without credentials, files without TLS and a certificate without its key, never echoing secrets", () => {
    let message = "";
    try {
      load({
        KAFKA_SASL_MECHANISM: "plain",
        KAFKA_SASL_PASSWORD: "s3cret-value",
        KAFKA_SSL_CERT_FILE: "/cert.pem",
        KAFKA_SASL_USERNAME: "",
      });
    } catch (err) {
      message = String(err instanceof Error ? `${err.message} ${JSON.stringify(err)}` : err);
    }
    expect(message).toContain("KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD");
    expect(message).toContain("KAFKA_SSL is not true");
    expect(message).toContain("KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together");
    expect(message).not.toContain("s3cret-value");
  });
});
