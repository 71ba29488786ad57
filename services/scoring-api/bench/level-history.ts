// bench:api-levels' check that the API sees each level's history: what it would measure otherwise
// is an empty entity, however many events the set-up wrote.
import { FEATURES, FeatureSet } from "@riskgate/feature-store/definitions";
import { checkoutOf, type Run } from "@riskgate/feature-store/level-bench";
import { readCheckoutFeatures } from "@riskgate/feature-store/online";
import type { BenchedApi } from "./benched-api.ts";

const features = new FeatureSet(FEATURES);

/** The features POST /v1/features answers for the run's checkout `i`, sent as a client sends it. */
async function featuresThroughApi(api: BenchedApi, run: Run, i: number): Promise<Record<string, number>> {
  const res = await api.app.inject({
    method: "POST",
    url: "/v1/features",
    headers: api.headers,
    payload: checkoutOf(run, i),
  });
  if (res.statusCode !== 200) {
    throw new Error(`${api.name}: POST /v1/features answered ${res.statusCode}: ${res.body}`);
  }
  return (res.json() as { features: Record<string, number> }).features;
}

/**
 * Through the API, every level's hot listing and host hold `histories[l]` checkouts (exact 24-hour
 * counts), and every feature, the IP's and card's included (windowed or estimated, no exact count
 * of the whole history), is what the store itself reads under the set-up's ids: the API reads the
 * keys the set-up wrote, not keys of its own naming.
 */
export async function checkHistories(
  api: BenchedApi,
  runs: readonly Run[],
  histories: readonly number[],
): Promise<void> {
  for (const [l, run] of runs.entries()) {
    const want = histories[l] as number;
    const seen = await featuresThroughApi(api, run, want);
    const [listing, host] = [seen.listing_checkouts_24h, seen.host_checkouts_24h];
    if (listing !== want || host !== want) {
      throw new Error(
        `${api.name}: through the API, the hot listing and host of level #${l + 1} hold ${listing} and ${host} ` +
          `checkouts, not ${want}: its measurement would not be of that history`,
      );
    }
    const stored = features.toRecord(
      await readCheckoutFeatures(api.store, features, api.ids(checkoutOf(run, want))),
    );
    const differ = Object.keys(stored).filter((name) => stored[name] !== seen[name]);
    if (differ.length > 0) {
      throw new Error(
        `${api.name}: through the API, level #${l + 1} reads ` +
          differ.map((name) => `${name} ${seen[name]} (under the set-up's ids: ${stored[name]})`).join(", ") +
          ": the API does not read all that the set-up wrote",
      );
    }
  }
}
