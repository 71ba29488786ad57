// Manifest schema 2: the policy, labels and monitoring blocks are loaded and checked, and a
// schema 1 manifest is refused.
import { FEATURES, FeatureSet } from "@riskgate/feature-store/definitions";
import { afterAll, describe, expect, it } from "vitest";
import { championDir } from "../../src/model/champion.ts";
import { loadManifest, ModelLoadError } from "../../src/model/manifest.ts";
import { modelCopy } from "../model-copies.ts";

const features = new FeatureSet(FEATURES);
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

async function load(edit: (m: Record<string, unknown>) => void) {
  const copy = await modelCopy("manifest-test", edit);
  cleanups.push(copy.remove);
  return loadManifest(copy.dir, features).catch((e: unknown) => e);
}

const monitoring = () => ({
  features: {
    ip_logins_1h: { edges: [1, 3], train_share: [0.1, 0.5, 0.4], default_value: 0, default_share: 0.1 },
  },
  score: { edges: [0.01], train_share: [0.9, 0.1] },
});

describe("manifest schema 2", () => {
  it("loads the committed champion's cost model and label assumptions", async () => {
    const m = await loadManifest(await championDir("models/artifacts/champion.json"), features);
    expect(m.schema_version).toBe(2);
    expect(m.policy).toMatchObject({ kind: "expected_loss", currency: "EUR", fn_over_fp_at_median: 20 });
    // The seed: FN = 20 x FP at the median amount.
    expect(m.policy.decline_cost_eur).toBeCloseTo(
      (m.policy.median_amount_eur + m.policy.chargeback_fee_eur) / 20,
      4,
    );
    expect(m.policy.review_min_expected_loss_eur).toBeGreaterThanOrEqual(m.policy.review_cost_eur);
    expect(m.labels.maturity_days).toBeGreaterThan(0);
  });

  it("accepts a monitoring block whose bins add up", async () => {
    const m = await load((m) => {
      m.monitoring = monitoring();
    });
    expect(m).not.toBeInstanceOf(Error);
  });

  const refused: [string, (m: Record<string, unknown>) => void, string][] = [
    [
      "a schema 1 manifest",
      (m) => {
        m.schema_version = 1;
      },
      "/schema_version",
    ],
    ["a manifest without policy", (m) => void delete m.policy, "/policy"],
    ["a manifest without labels", (m) => void delete m.labels, "/labels"],
    [
      "a review minimum below the review cost",
      (m) => Object.assign(m.policy as object, { review_min_expected_loss_eur: 1 }),
      "/policy/review_min_expected_loss_eur",
    ],
    [
      "monitoring bins that do not match their edges",
      (m) => {
        const mon = monitoring();
        mon.score.train_share = [1];
        m.monitoring = mon;
      },
      "/monitoring/score",
    ],
    [
      "monitoring shares that do not sum to 1",
      (m) => {
        const mon = monitoring();
        mon.features.ip_logins_1h.train_share = [0.1, 0.1, 0.1];
        m.monitoring = mon;
      },
      "/monitoring/features/ip_logins_1h",
    ],
    [
      "monitoring of a feature the model does not have",
      (m) => {
        m.monitoring = { ...monitoring(), features: { nope: monitoring().features.ip_logins_1h } };
      },
      "/monitoring/features/nope",
    ],
  ];
  it.each(refused)("refuses %s, naming the field", async (_what, edit, path) => {
    const err = await load(edit);
    expect(err).toBeInstanceOf(ModelLoadError);
    expect((err as ModelLoadError).code).toBe("manifest_invalid");
    expect((err as Error).message).toContain(path);
  });
});
