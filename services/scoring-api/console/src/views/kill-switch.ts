import { useEffect, useRef, useState } from "preact/hooks";
import { type Api, ApiError, type AuditEntry, type GlobalSwitch, type ModelEntry } from "../api.ts";
import { clock, html } from "../html.ts";
import { usePoll } from "./use-poll.ts";

interface Pending {
  /** `global` or a model version. */
  readonly target: string;
  readonly engage: boolean;
}

interface State {
  global: GlobalSwitch;
  models: ModelEntry[];
  audit: AuditEntry[];
}

const describe = (p: Pending) =>
  p.target === "global"
    ? p.engage
      ? "Engage the global kill-switch: every model stops deciding on every replica (rules only) within a second."
      : "Release the global kill-switch: the models decide again on every replica."
    : p.engage
      ? `Switch model ${p.target} off: its traffic falls back to the champion, or to rules if it is the champion.`
      : `Switch model ${p.target} back on.`;

/** The confirmation step: a modal dialog that asks why (required) before anything changes. */
function ConfirmDialog(props: {
  pending: Pending | null;
  onCancel: () => void;
  onConfirm: (reason: string) => Promise<void>;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (props.pending && !d.open) {
      setReason("");
      setError(null);
      d.showModal();
    } else if (!props.pending && d.open) d.close();
  }, [props.pending]);
  const p = props.pending;
  const submit = async (e: Event) => {
    e.preventDefault();
    if (reason.trim() === "") {
      setError("Say why: the reason is recorded in the audit trail.");
      return;
    }
    setBusy(true);
    try {
      await props.onConfirm(reason.trim());
    } catch (err) {
      setError(err instanceof ApiError ? `${err.message} (${err.code})` : String(err));
    } finally {
      setBusy(false);
    }
  };
  return html`<dialog ref=${ref} aria-labelledby="confirm-h" onCancel=${props.onCancel} onClose=${props.onCancel}>
    ${
      p &&
      html`<form onSubmit=${submit}>
        <h2 id="confirm-h">${p.engage ? "Engage" : "Release"} ${p.target === "global" ? "the global kill-switch" : `the switch of ${p.target}`}?</h2>
        <p>${describe(p)}</p>
        <label for="reason">Reason (required, audited)</label>
        <textarea id="reason" required maxlength="500" rows="3" value=${reason}
          onInput=${(e: Event) => setReason((e.target as HTMLTextAreaElement).value)}
          aria-invalid=${error ? "true" : undefined}></textarea>
        ${error && html`<p role="alert" class="error">${error}</p>`}
        <div class="actions">
          <button type="button" class="secondary" onClick=${props.onCancel}>Cancel</button>
          <button type="submit" class=${p.engage ? "danger" : ""} disabled=${busy}>
            ${p.engage ? "Confirm: engage" : "Confirm: release"}
          </button>
        </div>
      </form>`
    }
  </dialog>`;
}

export function KillSwitchView(props: { api: Api; onAuthError: (e: unknown) => void }) {
  const { api } = props;
  const load = async (): Promise<State> => {
    const [global, models, audit] = await Promise.all([api.globalSwitch(), api.models(), api.audit(50)]);
    return { global, models: models.models, audit: audit.entries };
  };
  const { data, error, reload } = usePoll("kill-switch", load, 5_000, props.onAuthError);
  const [pending, setPending] = useState<Pending | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const confirm = async (reason: string) => {
    const p = pending as Pending;
    if (p.target === "global") await api.setGlobal(p.engage, reason);
    else await api.setModel(p.target, p.engage, reason);
    setPending(null);
    setDone(
      `${p.target === "global" ? "Global kill-switch" : `Model ${p.target}`} ${p.engage ? "engaged" : "released"}.`,
    );
    await reload();
  };

  const g = data?.global;
  return html`
    <h2 class="view-title">Kill-switch</h2>
    ${error && html`<p role="alert" class="error">${error}</p>`}
    <p role="status" class="ok-msg">${done ?? ""}</p>
    ${
      data &&
      g &&
      html`<div class="grid">
        <section class="card" aria-labelledby="global-h">
          <h2 id="global-h">Global</h2>
          <p class="big" data-testid="global-state">
            <span class=${`badge ${g.engaged ? "bad" : "ok"}`}>${g.engaged ? "ENGAGED: rules only" : "released: models decide"}</span>
            ${g.stale ? html` <span class="badge warn">stale</span>` : null}
          </p>
          <dl class="kv">
            <dt>Last change</dt><dd>${clock(g.changed_at)}</dd>
            <dt>By</dt><dd>${g.actor ?? "—"}</dd>
            <dt>Reason</dt><dd>${g.reason ?? "—"}</dd>
          </dl>
          <button type="button" class=${g.engaged ? "" : "danger"} onClick=${() => setPending({ target: "global", engage: !g.engaged })}>
            ${g.engaged ? "Release global kill-switch…" : "Engage global kill-switch…"}
          </button>
        </section>
        <section class="card wide" aria-labelledby="models-ks-h">
          <h2 id="models-ks-h">Per model version</h2>
          <table>
            <thead><tr><th scope="col">Version</th><th scope="col">Role</th><th scope="col">Switch</th><th scope="col">Last change</th><th scope="col"><span class="sr-only">Action</span></th></tr></thead>
            <tbody>
              ${data.models.map(
                (m) => html`<tr>
                  <th scope="row"><span class="mono">${m.version}</span></th>
                  <td>${m.role}${m.canary_percent !== undefined ? ` (${m.canary_percent} %)` : ""}</td>
                  <td><span class=${`badge ${m.kill_switch.engaged ? "bad" : "ok"}`}>${m.kill_switch.engaged ? "off" : "on"}</span></td>
                  <td>${m.kill_switch.actor ? `${clock(m.kill_switch.changed_at)} by ${m.kill_switch.actor}` : "—"}</td>
                  <td><button type="button" class="small" onClick=${() => setPending({ target: m.version, engage: !m.kill_switch.engaged })}
                    aria-label=${`${m.kill_switch.engaged ? "Switch on" : "Switch off"} ${m.version}`}>${m.kill_switch.engaged ? "Switch on…" : "Switch off…"}</button></td>
                </tr>`,
              )}
            </tbody>
          </table>
        </section>
        <section class="card wide" aria-labelledby="audit-h">
          <h2 id="audit-h">Audit trail</h2>
          ${
            data.audit.length === 0
              ? html`<p>No change yet.</p>`
              : html`<table data-testid="audit">
                  <thead><tr><th scope="col">When</th><th scope="col">Target</th><th scope="col">Change</th><th scope="col">By</th><th scope="col">Reason</th></tr></thead>
                  <tbody>
                    ${data.audit.map(
                      (a) => html`<tr>
                        <td>${clock(a.changed_at)}</td><td class="mono">${a.target}</td>
                        <td>${a.engaged ? "engaged" : "released"}</td><td>${a.actor}</td><td>${a.reason}</td>
                      </tr>`,
                    )}
                  </tbody>
                </table>`
          }
        </section>
      </div>`
    }
    <${ConfirmDialog} pending=${pending} onCancel=${() => setPending(null)} onConfirm=${confirm} />
  `;
}
