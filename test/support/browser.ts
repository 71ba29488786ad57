// A real Chromium for the console tests and the screenshot script: Debian's `chromium` (installed by
// infra/dev/system-packages.sh), driven by playwright-core. Never a browser Playwright downloads.

import { existsSync } from "node:fs";
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { type Browser, chromium, type Page } from "playwright-core";

export const CHROMIUM = process.env.RISKGATE_CHROMIUM ?? "/usr/bin/chromium";

// Headless, and nothing that reaches the network on its own (updates, sync, QUIC probes).
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: run infra/dev/system-packages.sh (Debian package chromium)`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
}

/** Listens on an ephemeral loopback port; returns the console's URL. */
export async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

/** Signs in on the console's form, as a person would; resolves once the header names them. */
export async function signIn(page: Page, base: string, key: string, name: string): Promise<void> {
  await page.goto(`${base}/console/`);
  await page.getByLabel("API key").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByTestId("who").filter({ hasText: name }).waitFor();
}

/** The console's own measures: navigation (or sign-in) to the first data painted, per view, in ms. */
export async function renderTimes(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() =>
    Object.fromEntries(
      performance
        .getEntriesByType("measure")
        .filter((m) => m.name.startsWith("view:"))
        .map((m) => [m.name.slice(5), Math.round(m.duration)]),
    ),
  );
}
