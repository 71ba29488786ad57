// Readiness probe for infra/dev/kafka.sh: succeeds once the broker answers a
// kafkajs metadata request (the client the project really uses), so "ready"
// means "kafkajs can talk to it", not just "the port is open".
// Usage: node infra/dev/kafka-ready.mjs 127.0.0.1:9192 [timeoutSeconds]
import kafkajs from "kafkajs";

const { Kafka, logLevel } = kafkajs;
const brokers = (process.argv[2] ?? "127.0.0.1:9192").split(",");
const deadline = Date.now() + Number(process.argv[3] ?? 60) * 1000;

let lastError;
while (Date.now() < deadline) {
  const admin = new Kafka({
    clientId: "riskgate-ready",
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 3000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    await admin.listTopics();
    await admin.disconnect();
    process.exit(0);
  } catch (err) {
    lastError = err;
    await admin.disconnect().catch(() => {});
    await new Promise((r) => setTimeout(r, 250));
  }
}
console.error(`kafka-ready: no answer from ${brokers.join(",")}: ${lastError?.message ?? "timeout"}`);
process.exit(1);
