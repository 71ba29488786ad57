import type { Api, ConsoleSummary } from "../api.ts";
import { duration, html, num, pct } from "../html.ts";
import { usePoll } from "./use-poll.ts";

const REFRESH_MS = 3_000;

function Sparkline(props: { values: number[] }) {
  const v = props.values;
  if (v.length < 2) return null;
  const max = Math.max(1, ...v);
  const points = v.map((y, i) => `${(i / (v.length - 1)) * 200},${40 - (y / max) * 38}`).join(" ");
  return html`<svg class="spark" viewBox="0 0 200 40" role="img" aria-label=${`Decisions per second over the last ${v.length} seconds, peak ${max.toFixed(1)}`}>
    <polyline points=${points} fill="none" stroke="currentColor" stroke-width="1.5" />
  </svg>`;
}

function Stat(props: { label: string; value: string; id?: string; tone?: "bad" | "warn" | undefined }) {
  return html`<div class=${`stat ${props.tone ?? ""}`}>
    <dt>${props.label}</dt>
    <dd data-testid=${props.id}>${props.value}</dd>
  </div>`;
}

function Traffic({ s }: { s: ConsoleSummary }) {
  const d = s.decisions;
  return html`<section aria-labelledby="traffic-h" class="card wide">
    <h2 id="traffic-h">Decisions <small>(last ${num(s.window_seconds, 0)} s, this replica)</small></h2>
    <dl class="stats">
      <${Stat} label="Decisions/s" id="rate" value=${num(d.per_second)} />
      <${Stat} label="Allow/s" value=${num(d.by_outcome.allow)} />
      <${Stat} label="Review/s" value=${num(d.by_outcome.review)} />
      <${Stat} label="Block/s" value=${num(d.by_outcome.block)} />
      <${Stat} label="Normal/s" value=${num(d.by_mode.normal)} />
      <${Stat} label="Rules only/s" value=${num(d.by_mode.rules_only)} tone=${d.by_mode.rules_only > 0 ? "warn" : undefined} />
      <${Stat} label="Degraded/s" value=${num(d.by_mode.degraded)} tone=${d.by_mode.degraded > 0 ? "bad" : undefined} />
      <${Stat} label="Degraded share" id="degraded-share" value=${pct(d.degraded_share)} tone=${(d.degraded_share ?? 0) > 0.01 ? "bad" : undefined} />
      <${Stat} label="Latency p50" id="p50" value=${s.latency_ms.p50 === null ? "—" : `${num(s.latency_ms.p50, 2)} ms`} />
      <${Stat} label="Latency p99" id="p99" value=${s.latency_ms.p99 === null ? "—" : `${num(s.latency_ms.p99, 2)} ms`} />
    </dl>
    <${Sparkline} values=${d.per_second_series} />
  </section>`;
}

function Health({ s }: { s: ConsoleSummary }) {
  return html`<section aria-labelledby="health-h" class="card">
    <h2 id="health-h">Dependencies</h2>
    <table>
      <caption class="sr-only">Circuit breakers and the kill-switch</caption>
      <thead><tr><th scope="col">Part</th><th scope="col">State</th></tr></thead>
      <tbody>
        <tr>
          <th scope="row">Kill-switch (global)</th>
          <td data-testid="live-kill-switch"><span class=${`badge ${s.kill_switch.global_engaged ? "bad" : "ok"}`}>${s.kill_switch.global_engaged ? "engaged: rules only" : "released"}</span>
          ${s.kill_switch.stale ? html` <span class="badge warn">stale</span>` : null}</td>
        </tr>
        ${s.breakers.map(
          (b) => html`<tr><th scope="row">${b.dependency} breaker</th>
            <td><span class=${`badge ${b.state === "closed" ? "ok" : b.state === "open" ? "bad" : "warn"}`}>${b.state.replace("_", "-")}</span></td></tr>`,
        )}
      </tbody>
    </table>
  </section>`;
}

function Models({ s }: { s: ConsoleSummary }) {
  return html`<section aria-labelledby="models-h" class="card">
    <h2 id="models-h">Models</h2>
    <table>
      <thead><tr><th scope="col">Version</th><th scope="col">Role</th><th scope="col">Serving</th><th scope="col">Share</th></tr></thead>
      <tbody>
        ${s.models.map(
          (m) => html`<tr>
            <th scope="row"><span class="mono">${m.version}</span></th>
            <td>${m.role}${m.canary_percent !== undefined ? ` (${m.canary_percent} % of users)` : ""}</td>
            <td><span class=${`badge ${m.serving ? "ok" : "bad"}`}>${m.serving ? "yes" : "off"}</span></td>
            <td>${pct(m.decided_share)}</td>
          </tr>`,
        )}
      </tbody>
    </table>
  </section>`;
}

function Review({ s }: { s: ConsoleSummary }) {
  const r = s.review;
  if (!r)
    return html`<section class="card"><h2>Review backlog</h2><p role="status">The review queue cannot be read right now.</p></section>`;
  const late = r.sla_remaining_seconds !== null && r.sla_remaining_seconds < 0;
  return html`<section aria-labelledby="review-h" class="card">
    <h2 id="review-h">Review backlog</h2>
    <dl class="stats">
      <${Stat} label="Open" id="backlog-open" value=${String(r.open)} />
      <${Stat} label="Claimed" value=${String(r.claimed)} />
      <${Stat} label="Oldest waiting" value=${duration(r.oldest_open_age_seconds)} />
      <${Stat} label=${`SLA (${r.sla_minutes} min) left`} value=${duration(r.sla_remaining_seconds)} tone=${late ? "bad" : undefined} />
      <${Stat} label="Budget today" value=${`${r.budget_used} / ${r.budget_capacity}`} tone=${r.budget_used >= r.budget_capacity ? "warn" : undefined} />
      <${Stat} label="Expired unreviewed" value=${String(r.expired)} tone=${r.expired > 0 ? "warn" : undefined} />
    </dl>
  </section>`;
}

function Rules({ s }: { s: ConsoleSummary }) {
  return html`<section aria-labelledby="rules-h" class="card wide">
    <h2 id="rules-h">Rule hits</h2>
    ${
      s.rules.length === 0
        ? html`<p>No rule has matched since this replica started.</p>`
        : html`<table>
            <thead><tr><th scope="col">Rule</th><th scope="col">Action</th><th scope="col" class="num">Hits/s</th><th scope="col" class="num">Since start</th></tr></thead>
            <tbody>
              ${s.rules.map(
                (r) => html`<tr>
                  <th scope="row"><span class="mono">${r.id}</span>${r.shadow ? html` <span class="badge">shadow</span>` : null}</th>
                  <td>${r.action}</td><td class="num">${num(r.per_second, 2)}</td><td class="num">${r.total}</td>
                </tr>`,
              )}
            </tbody>
          </table>`
    }
  </section>`;
}

export function LiveView(props: { api: Api; onAuthError: (e: unknown) => void }) {
  const { data, error } = usePoll("live", props.api.summary, REFRESH_MS, props.onAuthError);
  return html`
    <h2 class="view-title">Live</h2>
    <p class="meta" aria-live="off">${data ? `Updated ${new Date(data.generated_at).toLocaleTimeString()}; refreshes every ${REFRESH_MS / 1000} s.` : "Loading…"}</p>
    ${error && html`<p role="alert" class="error">${error}</p>`}
    ${
      data &&
      html`<div class="grid" data-testid="live">
        <${Traffic} s=${data} />
        <${Health} s=${data} />
        <${Models} s=${data} />
        <${Review} s=${data} />
        <${Rules} s=${data} />
      </div>`
    }
  `;
}
