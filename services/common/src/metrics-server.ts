import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * A bare HTTP server for `/metrics` (and `/healthz`) on its own port, for a scrape endpoint that is
 * not exposed where the service's traffic is.
 */
export async function startMetricsServer(
  registry: Registry,
  port: number,
  host: string,
  /** The exposition text (a sum over cluster workers, say). Default: the registry's. */
  text: () => Promise<string> = () => registry.metrics(),
): Promise<MetricsServer> {
  const server = createServer(async (req, res) => {
    if (req.url === "/metrics") {
      res.setHeader("content-type", registry.contentType);
      res.end(await text());
      return;
    }
    res.statusCode = req.url === "/healthz" ? 200 : 404;
    res.end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
