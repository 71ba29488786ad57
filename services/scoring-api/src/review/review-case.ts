/**
 * A review case as the API (and the console, which imports these types into the browser) sees it.
 * No runtime dependencies: the console's type check has no Node types.
 */
export interface CaseRule {
  readonly id: string;
  readonly action: "allow" | "review" | "block";
  readonly shadow: boolean;
}

export const CASE_STATUSES = ["open", "claimed", "resolved", "expired"] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
export type ReviewLabel = "fraud" | "legit";
export type SlaAction = "allow" | "block";

/** A case as the API shows it. `status` is effective: a claimed case whose lease lapsed is `open`. */
export interface ReviewCase {
  id: string;
  event_id: string;
  user_id: string;
  payment_instrument_id: string;
  score: number | null;
  amount_eur: number;
  priority: number;
  reasons: { code: string; detail: string }[];
  /** Features as scored, by name; null for a case opened before they were recorded. */
  features: Record<string, number> | null;
  rules: CaseRule[];
  created_at: string;
  sla_deadline: string;
  status: CaseStatus;
  /** Name of the reviewer holding the live lease (or who resolved the case). */
  claimed_by: string | null;
  lease_expires_at: string | null;
  resolution: ReviewLabel | null;
  note: string | null;
  resolved_by: string | null;
  resolved_at: string | null;
  /** The SLA default applied when the case expired unworked. */
  sla_action: SlaAction | null;
  expired_at: string | null;
}
