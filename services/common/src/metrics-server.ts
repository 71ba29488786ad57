import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

export interface MetricsServerOptions {
  /** The exposition text (a sum over cluster workers, say). Default: the registry's. */
  readonly text?: () => Promise<string>;
  /** Whether the process does its job yet: `/readyz` answers 200 or 503. Without it, no `/readyz`. */
  readonly ready?: () => boolean;
}

/**
 * A bare HTTP server for `/metrics`, `/healthz` (the process is alive) and, when given `ready`,
 * `/readyz` (it does its work: what a start-up script or an orchestrator waits for) on its own port,
 * for a scrape endpoint that is not exposed where the service's traffic is.
 */
export async function startMetricsServer(
  registry: Registry,
  port: number,
  host: string,
  options: MetricsServerOptions = {},
): Promise<MetricsServer> {
  const text = options.text ?? (() => registry.metrics());
  const ready = options.ready;
  const server = createServer(async (req, res) => {
    if (req.url === "/metrics") {
      res.setHeader("content-type", registry.contentType);
      res.end(await text());
      return;
    }
    if (req.url === "/readyz" && ready) res.statusCode = ready() ? 200 : 503;
    else res.statusCode = req.url === "/healthz" ? 200 : 404;
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
