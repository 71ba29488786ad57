// What the API and the consumer do to a decoded event: refuse the future, pseudonymise.

import { account, checkout, label, T0 } from "@riskgate/test-support/events";
import { describe, expect, it } from "vitest";
import { EventDecodeError, Pseudonymiser } from "../../src/events/index.ts";
import { type Admission, admitCheckout, admitEvent } from "../../src/update/index.ts";

const SKEW = 5 * 60_000;
const admission: Admission = {
  pseudonymiser: new Pseudonymiser({ key: "k".repeat(32), keyId: "k1" }),
  maxClockSkewMs: SKEW,
  now: () => T0,
};

describe("event admission", () => {
  it("accepts events up to the allowed skew ahead of the clock", () => {
    expect(admitCheckout(checkout("c1", T0 + SKEW), admission).event_id).toBe("c1");
    expect(admitEvent(account("a1", T0 - 400 * 86_400_000), admission, "client").event_id).toBe("a1");
  });

  it("refuses an event further in the future, naming /occurred_at", () => {
    for (const admit of [
      () => admitCheckout(checkout("c1", T0 + SKEW + 1), admission),
      () => admitEvent(account("a1", Date.parse("2099-01-01T00:00:00Z")), admission, "client"),
    ]) {
      expect(admit).toThrow(EventDecodeError);
      try {
        admit();
      } catch (err) {
        expect(err).toMatchObject({ code: "event_in_future", field: "/occurred_at" });
      }
    }
  });

  it("pseudonymises what it admits", () => {
    const out = admitCheckout(checkout("c1", T0), admission);
    expect(out.user.id).toBe(admission.pseudonymiser.id("user", "u_1"));
    expect(out.device.ip).toBe(admission.pseudonymiser.id("ip", "10.0.0.1"));
  });

  it("keeps a label's pseudonyms from the labels source only", () => {
    const user = admission.pseudonymiser.id("user", "u_1");
    const outcome = label("ro1", T0, { type: "review_outcome", user_id: user });
    expect(admitEvent(outcome, admission, "labels")).toMatchObject({ user_id: user });
    expect(admitEvent(outcome, admission, "client")).toMatchObject({
      user_id: admission.pseudonymiser.id("user", user),
    });
  });
});
