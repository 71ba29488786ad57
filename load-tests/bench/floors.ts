// The floors `npm run bench` measures beside the real stack, on the same machine in the same run:
//   http           a bare node:http server answering every POST
//   fastify        a Fastify hello-world route (parses the JSON body)
//   fastify-redis  a Fastify route doing only the checkout's feature read (one Redis round trip)
// usage: node load-tests/bench/floors.ts <kind> <port>   (fastify-redis: REDIS_URL, REDIS_KEY_PREFIX)
import { createServer } from "node:http";
import { FEATURES, FeatureSet } from "@riskgate/feature-store/definitions";
import type { Checkout } from "@riskgate/feature-store/events";
import { RedisStore, readCheckoutFeatures } from "@riskgate/feature-store/online";
import Fastify from "fastify";
import { Redis } from "ioredis";

const [kind, portArg] = process.argv.slice(2);
const port = Number(portArg);
const ready = () => process.stdout.write(`${kind} floor listening on ${port}\n`);

if (kind === "http") {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      res.end(req.url === "/readyz" ? '{"ready":true}' : '{"ok":true}');
    });
  });
  server.listen(port, "127.0.0.1", ready);
  process.once("SIGTERM", () => server.close());
} else if (kind === "fastify" || kind === "fastify-redis") {
  const app = Fastify({ logger: false });
  app.get("/readyz", async () => ({ ready: true }));
  if (kind === "fastify") {
    app.post("/v1/score", async () => ({ ok: true }));
  } else {
    const redis = new Redis(process.env.REDIS_URL as string, { enableOfflineQueue: false });
    // A failed read answers 500 (counted by the run); the client reconnects by itself.
    redis.on("error", () => undefined);
    const store = new RedisStore(redis, { keyPrefix: process.env.REDIS_KEY_PREFIX ?? "rg:" });
    const features = new FeatureSet(FEATURES);
    app.post("/v1/score", async (req) => {
      const vector = await readCheckoutFeatures(store, features, req.body as Checkout);
      return { ok: true, missing: vector.missing.length };
    });
    app.addHook("onClose", async () => void (await redis.quit()));
  }
  await app.listen({ port, host: "127.0.0.1" });
  ready();
  process.once("SIGTERM", () => void app.close());
} else {
  throw new Error("usage: floors.ts http|fastify|fastify-redis <port>");
}
