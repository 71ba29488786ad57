// Removes what one run wrote to the shared Redis and Kafka: keys under "<run>:" and topics named
// "<run>.*". usage: node load-tests/bench/cleanup.ts <run>   (REDIS_URL, KAFKA_BROKERS)
import { cleanupRun } from "./stack.ts";

const run = process.argv[2];
if (!run || !/^[A-Za-z0-9_-]+$/.test(run)) throw new Error("usage: cleanup.ts <run id>");
await cleanupRun(run);
