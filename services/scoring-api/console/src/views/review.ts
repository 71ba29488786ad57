import { useEffect, useState } from "preact/hooks";
import { type Api, ApiError, type ReviewCase } from "../api.ts";
import { clock, duration, html, num } from "../html.ts";
import { usePoll } from "./use-poll.ts";

const STATUSES = ["open", "claimed", "resolved", "expired"] as const;

/** Seconds until an ISO time, ticking every second while shown. */
function useCountdown(iso: string | null): number | null {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!iso) return;
    const t = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(t);
  }, [iso]);
  return iso ? (Date.parse(iso) - now) / 1000 : null;
}

function CaseDetail(props: {
  api: Api;
  c: ReviewCase;
  reviewer: string;
  onChange: (c: ReviewCase) => void;
  onClose: () => void;
}) {
  const { c } = props;
  const [label, setLabel] = useState<"fraud" | "legit" | "">("");
  const [note, setNote] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const lease = useCountdown(c.lease_expires_at);
  const mine = c.status === "claimed" && c.claimed_by === props.reviewer && (lease ?? 0) > 0;

  const act = async (f: () => Promise<ReviewCase>) => {
    setBusy(true);
    setError(null);
    try {
      props.onChange(await f());
    } catch (err) {
      setError(err instanceof ApiError ? `${err.message} (${err.code})` : String(err));
    } finally {
      setBusy(false);
    }
  };
  const resolve = (e: Event) => {
    e.preventDefault();
    if (label === "") return setError("Choose fraud or legit.");
    if (note.trim() === "") return setError("Write a note: what you checked and why.");
    return act(() => props.api.resolve(c.id, label, note.trim()));
  };

  const features = Object.entries(c.features ?? {});
  return html`<section class="card detail" aria-labelledby="case-h" data-testid="case-detail">
    <div class="detail-head">
      <h2 id="case-h" tabindex="-1">Case <span class="mono">${c.id}</span></h2>
      <button type="button" class="secondary small" onClick=${props.onClose}>Back to the list</button>
    </div>
    <dl class="kv">
      <dt>Status</dt><dd data-testid="case-status">${c.status}${c.resolution ? `: ${c.resolution}` : ""}</dd>
      <dt>Score</dt><dd>${c.score === null ? "— (no model)" : num(c.score, 3)}</dd>
      <dt>Amount</dt><dd>${num(c.amount_eur, 2)} EUR</dd>
      <dt>Priority (expected loss)</dt><dd>${num(c.priority, 2)} EUR</dd>
      <dt>Opened</dt><dd>${clock(c.created_at)}</dd>
      <dt>SLA deadline</dt><dd>${clock(c.sla_deadline)}</dd>
      <dt>Claimed by</dt><dd>${c.claimed_by ?? "—"}</dd>
      <dt>Lease</dt><dd data-testid="lease">${c.lease_expires_at ? `until ${clock(c.lease_expires_at)} (${lease !== null && lease > 0 ? `${duration(lease)} left` : "expired"})` : "—"}</dd>
      ${c.resolved_by ? html`<dt>Resolved by</dt><dd>${c.resolved_by} at ${clock(c.resolved_at)}: ${c.note}</dd>` : null}
    </dl>
    <h3>Reasons</h3>
    <ul>${c.reasons.map((r) => html`<li><span class="mono">${r.code}</span>: ${r.detail}</li>`)}</ul>
    <h3>Rules that matched</h3>
    ${
      c.rules.length === 0
        ? html`<p>None.</p>`
        : html`<ul>${c.rules.map((r) => html`<li><span class="mono">${r.id}</span> → ${r.action}${r.shadow ? " (shadow)" : ""}</li>`)}</ul>`
    }
    <details open=${features.length <= 40}>
      <summary>Features as scored (${features.length})</summary>
      ${
        features.length === 0
          ? html`<p>Not recorded for this case.</p>`
          : html`<table class="features"><thead><tr><th scope="col">Feature</th><th scope="col" class="num">Value</th></tr></thead>
            <tbody>${features.map(([k, v]) => html`<tr><th scope="row" class="mono">${k}</th><td class="num">${Number.isInteger(v) ? v : v.toFixed(4)}</td></tr>`)}</tbody></table>`
      }
    </details>
    ${error && html`<p role="alert" class="error">${error}</p>`}
    ${
      c.status === "open" || (c.status === "claimed" && !mine)
        ? html`<button type="button" onClick=${() => act(() => props.api.claim(c.id))} disabled=${busy || (c.status === "claimed" && !mine)}>
            ${c.status === "claimed" ? `Held by ${c.claimed_by}` : "Claim this case"}</button>`
        : null
    }
    ${
      mine &&
      html`<form class="resolve" onSubmit=${resolve}>
        <fieldset>
          <legend>Decision</legend>
          <label><input type="radio" name="label" value="fraud" checked=${label === "fraud"} onChange=${() => setLabel("fraud")} /> Fraud</label>
          <label><input type="radio" name="label" value="legit" checked=${label === "legit"} onChange=${() => setLabel("legit")} /> Legit</label>
        </fieldset>
        <label for="note">Note (required)</label>
        <textarea id="note" required maxlength="2000" rows="3" value=${note} onInput=${(e: Event) => setNote((e.target as HTMLTextAreaElement).value)}></textarea>
        <div class="actions">
          <button type="button" class="secondary" onClick=${() => act(() => props.api.claim(c.id))} disabled=${busy}>Renew lease</button>
          <button type="submit" disabled=${busy}>Resolve</button>
        </div>
      </form>`
    }
  </section>`;
}

export function ReviewView(props: { api: Api; reviewer: string; onAuthError: (e: unknown) => void }) {
  const [status, setStatus] = useState<(typeof STATUSES)[number]>("open");
  const [selected, setSelected] = useState<ReviewCase | null>(null);
  const { data, error, reload } = usePoll("review", () => props.api.cases(status), 5_000, props.onAuthError);
  useEffect(() => void reload(), [status]);
  useEffect(() => {
    if (selected) document.getElementById("case-h")?.focus();
  }, [selected?.id]);

  if (selected) {
    return html`<h2 class="view-title">Review queue</h2>
      <${CaseDetail} api=${props.api} c=${selected} reviewer=${props.reviewer}
        onChange=${(c: ReviewCase) => {
          setSelected(c);
          void reload();
        }}
        onClose=${() => setSelected(null)} />`;
  }
  return html`
    <h2 class="view-title">Review queue</h2>
    <div class="toolbar">
      <label for="status">Show</label>
      <select id="status" value=${status} onChange=${(e: Event) => setStatus((e.target as HTMLSelectElement).value as typeof status)}>
        ${STATUSES.map((s) => html`<option value=${s}>${s}</option>`)}
      </select>
      <button type="button" class="secondary small" onClick=${() => void reload()}>Refresh</button>
    </div>
    ${error && html`<p role="alert" class="error">${error}</p>`}
    ${
      data &&
      (data.cases.length === 0
        ? html`<p role="status">No ${status} cases.</p>`
        : html`<table data-testid="cases">
            <caption class="sr-only">${status} review cases, highest expected loss first</caption>
            <thead><tr><th scope="col">Case</th><th scope="col" class="num">Amount EUR</th><th scope="col" class="num">Score</th>
              <th scope="col" class="num">Priority</th><th scope="col">SLA deadline</th><th scope="col">Holder / lease</th></tr></thead>
            <tbody>
              ${data.cases.map(
                (c) => html`<tr>
                  <th scope="row"><button type="button" class="link mono" onClick=${() => setSelected(c)}>${c.id}</button></th>
                  <td class="num">${num(c.amount_eur, 2)}</td><td class="num">${c.score === null ? "—" : num(c.score, 3)}</td>
                  <td class="num">${num(c.priority, 2)}</td><td>${clock(c.sla_deadline)}</td>
                  <td>${c.claimed_by ? `${c.claimed_by}${c.lease_expires_at ? ` until ${clock(c.lease_expires_at)}` : ""}` : "—"}</td>
                </tr>`,
              )}
            </tbody>
          </table>`)
    }
  `;
}
