// Regenerates the console screenshots in console/screenshots/ (`npm run console:screenshots`): the
// embedded service (no Redis or Kafka) with a little traffic, a kill-switch change and review cases,
// photographed by Debian's Chromium at a laptop's 1366×768.

import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { bearer, startApi } from "@riskgate/test-support/api-harness";
import { launchChromium, listen, renderTimes, signIn } from "@riskgate/test-support/browser";
import { checkout } from "@riskgate/test-support/events";

const OUT = fileURLToPath(new URL("./screenshots/", import.meta.url));
const KEYS = {
  score: "score-key-for-screenshots-0001",
  alice: "alice-key-for-screenshots-0001",
  carol: "carol-key-for-screenshots-0001",
};

const api = await startApi({
  env: {
    RISKGATE_API_KEYS: `score:${KEYS.score},alice=admin:${KEYS.alice},carol=review+admin:${KEYS.carol}`,
  },
});
const inject = (method: "GET" | "POST" | "PUT", url: string, key: string, payload?: object) =>
  api.app.inject({ method, url, headers: bearer(key), ...(payload ? { payload } : {}) });

// Traffic over a few seconds, a review case every few checkouts (an off-platform payment request).
const at = Date.now() - 60_000;
for (let i = 0; i < 60; i++) {
  const id = `shot-${i}`;
  const review = i % 7 === 0;
  await inject(
    "POST",
    "/v1/score",
    KEYS.score,
    checkout(id, at, {
      user: { id: `u_${id}`, created_at: "2025-01-01T00:00:00Z" },
      device: { id: `d_${id}`, ip: `203.0.113.${i + 1}`, ip_country: "PT", user_agent: "Mozilla/5.0" },
      payment: {
        instrument_id: `pi_${id}`,
        type: "card",
        bin: "424242",
        country: "PT",
        billing_country: "PT",
      },
      booking: {
        amount: 80 + ((i * 37) % 900),
        currency: "EUR",
        nights: 2,
        checkin_at: new Date(at + 9 * 86_400_000).toISOString(),
      },
      ...(review ? { message: { text: "please whatsapp me, details at www.example-pay.com/booking" } } : {}),
    }),
  );
  await new Promise((r) => setTimeout(r, 50));
}
const change = (engaged: boolean, reason: string) =>
  inject("PUT", "/v1/admin/kill-switch", KEYS.alice, { engaged, reason });
await change(true, "model drift incident 4711: scores shifted after the pricing change");
await change(false, "incident 4711 closed: the new calibration is live");
const { cases } = (await inject("GET", "/v1/review/cases", KEYS.carol)).json();
await inject("POST", `/v1/review/cases/${cases[0].id}/claim`, KEYS.carol);

mkdirSync(OUT, { recursive: true });
const base = await listen(api.app);
const browser = await launchChromium();
try {
  const page = await (await browser.newContext({ viewport: { width: 1366, height: 768 } })).newPage();
  const shoot = (name: string) => page.screenshot({ path: `${OUT}${name}.png`, fullPage: true });
  await page.goto(`${base}/console/`);
  await page.getByLabel("API key").waitFor();
  await shoot("sign-in");
  await signIn(page, base, KEYS.carol, "carol");
  await page.getByTestId("live").waitFor();
  await shoot("live");
  await page.getByRole("link", { name: "Kill-switch" }).click();
  await page.getByTestId("audit").waitFor();
  await shoot("kill-switch");
  await page.getByRole("button", { name: "Engage global kill-switch…" }).click();
  await page
    .getByLabel("Reason (required, audited)")
    .fill("checkout spike from one BIN range, investigating");
  await shoot("kill-switch-confirm");
  await page.getByRole("button", { name: "Cancel" }).click();
  await page.getByRole("link", { name: "Review queue" }).click();
  await page.getByLabel("Show").selectOption("claimed");
  await page.getByTestId("cases").waitFor();
  await page.getByLabel("Show").selectOption("open");
  await page.getByTestId("cases").waitFor();
  await shoot("review-queue");
  await page.getByLabel("Show").selectOption("claimed");
  await page.getByRole("button", { name: cases[0].id }).click();
  await page.getByTestId("case-detail").waitFor();
  await page.getByLabel("Fraud").check();
  await page.getByLabel("Note (required)").fill("guest asked to pay off-platform by whatsapp");
  await shoot("review-case");
  console.log(`screenshots in ${OUT}; render times (ms): ${JSON.stringify(await renderTimes(page))}`);
} finally {
  await browser.close();
  await api.close();
}
