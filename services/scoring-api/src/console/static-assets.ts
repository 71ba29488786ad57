import { existsSync, readdirSync, readFileSync } from "node:fs";
import { extname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";

/** The built console (`npm run build:console` writes it; it is committed, so a fresh clone serves it). */
export const CONSOLE_DIST = fileURLToPath(new URL("../../console/dist/", import.meta.url));

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".ico": "image/x-icon",
};

// Same origin only: no CDN, no inline script, no framing; the API key never leaves this origin.
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

interface Asset {
  readonly body: Buffer;
  readonly type: string;
}

/** Every file of the build, read once at start: a handful of small files, a fixed set. */
function loadAssets(dir: string): Map<string, Asset> {
  const out = new Map<string, Asset>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (TYPES[extname(e.name)]) {
        out.set(relative(dir, p).split("\\").join("/"), {
          body: readFileSync(p),
          type: TYPES[extname(e.name)] as string,
        });
      }
    }
  };
  walk(dir);
  return out;
}

/**
 * Serves the console at /console (its index) and /console/<file>. Hashed assets are cached for a
 * year; the index is revalidated, so a deploy is seen at the next load. Returns false, serving
 * nothing, when the build is missing.
 */
export function registerConsoleAssets(app: FastifyInstance, dir = CONSOLE_DIST): boolean {
  if (!existsSync(join(dir, "index.html"))) return false;
  const assets = loadAssets(dir);
  const index = assets.get("index.html") as Asset;
  const headers = (type: string, cache: string) => ({
    "content-type": type,
    "cache-control": cache,
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
  });
  const hide = { hide: true };
  app.get("/console", { schema: hide }, (_req, reply) => reply.redirect("/console/", 301));
  app.get("/console/", { schema: hide }, (_req, reply) =>
    reply.headers(headers(index.type, "no-cache")).send(index.body),
  );
  app.get<{ Params: { "*": string } }>("/console/*", { schema: hide }, (req, reply) => {
    const asset = assets.get(req.params["*"]);
    if (!asset) return reply.callNotFound();
    const immutable = req.params["*"].startsWith("assets/");
    return reply
      .headers(headers(asset.type, immutable ? "public, max-age=31536000, immutable" : "no-cache"))
      .send(asset.body);
  });
  return true;
}
