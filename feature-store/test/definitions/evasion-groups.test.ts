// Every feature declares whether an attacker can set it cheaply (FeatureSpec.evadable), and training's
// evasion mimicry reads those declarations through the backfill's feature_sources. These checks keep
// the declarations an adversary model: what the fraud is for, and what history it cannot fake, are
// never in a group.
import { describe, expect, it } from "vitest";
import { FEATURES, featureSetVersion } from "../../src/definitions/index.ts";

const byGroup = (group: string) => FEATURES.filter((f) => f.evadable === group).map((f) => f.name);

describe("evasion groups", () => {
  it("puts the booking itself and the entities' history outside every group", () => {
    const conserved = FEATURES.filter((f) => f.evadable === null).map((f) => f.name);
    for (const name of [
      "booking_amount_eur",
      "nights",
      "amount_per_night_eur",
      "lead_time_days",
      "user_amount_vs_mean",
      "account_age_days",
      "user_successful_payments",
      "instrument_days_since_first_seen",
      "listing_age_days",
    ])
      expect(conserved).toContain(name);
    expect(FEATURES.filter((f) => f.growsWithAge && f.evadable !== null && f.evadable !== "device")).toEqual(
      [],
    );
  });

  it("groups the tells an attacker controls, each group non-empty", () => {
    expect(byGroup("account_changes")).toContain("user_hours_since_password_reset");
    expect(byGroup("device")).toContain("device_days_since_first_seen");
    expect(byGroup("network")).toContain("ip_country_ne_card_country");
    expect(byGroup("velocity")).toContain("instrument_failed_10m");
    expect(byGroup("message")).toContain("msg_off_platform_contact");
  });

  it("is not part of the feature-set version: a regrouping changes no served value", () => {
    const regrouped = FEATURES.map((f) => ({ ...f, evadable: null }));
    expect(featureSetVersion(regrouped)).toBe(featureSetVersion(FEATURES));
  });
});
