import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Api, ApiError, forgetKey, type Session, storedKey, storeKey } from "./api.ts";
import { html } from "./html.ts";
import { KillSwitchView } from "./views/kill-switch.ts";
import { LiveView } from "./views/live.ts";
import { ReviewView } from "./views/review.ts";
import { SignIn } from "./views/sign-in.ts";

type View = "live" | "kill-switch" | "review";

const VIEWS: { id: View; label: string; allowed: (s: Session) => boolean }[] = [
  { id: "live", label: "Live", allowed: (s) => s.scopes.includes("admin") || s.scopes.includes("review") },
  { id: "kill-switch", label: "Kill-switch", allowed: (s) => s.scopes.includes("admin") },
  { id: "review", label: "Review queue", allowed: (s) => s.scopes.includes("review") },
];

const viewOfHash = (): View | null => {
  const id = location.hash.replace(/^#\/?/, "");
  return VIEWS.some((v) => v.id === id) ? (id as View) : null;
};

function App() {
  const [auth, setAuth] = useState<{ api: Api; session: Session } | null>(null);
  const [restoring, setRestoring] = useState(storedKey() !== null);
  const [view, setView] = useState<View | null>(viewOfHash());

  useEffect(() => {
    const onHash = () => {
      const v = viewOfHash();
      if (v) performance.mark(`nav:${v}`);
      setView(v);
    };
    addEventListener("hashchange", onHash);
    return () => removeEventListener("hashchange", onHash);
  }, []);

  const signIn = async (key: string) => {
    const api = new Api(key);
    const session = await api.session();
    storeKey(key);
    // Render times of the first view count from here (not from page load: a person typed the key).
    for (const v of VIEWS) performance.mark(`nav:${v.id}`);
    setAuth({ api, session });
  };
  const signOut = () => {
    forgetKey();
    setAuth(null);
  };

  useEffect(() => {
    const key = storedKey();
    if (key) {
      signIn(key)
        .catch(() => forgetKey())
        .finally(() => setRestoring(false));
    }
  }, []);

  if (restoring) return html`<p class="boot">Signing in…</p>`;
  if (!auth) return html`<${SignIn} onSignIn=${signIn} />`;

  const allowed = VIEWS.filter((v) => v.allowed(auth.session));
  const current = allowed.find((v) => v.id === view) ?? allowed[0];
  // A 401 means the key was revoked or the server restarted with new keys: back to sign-in.
  const onAuthError = (err: unknown) => {
    if (err instanceof ApiError && err.status === 401) signOut();
  };
  return html`
    <a class="skip" href="#main">Skip to content</a>
    <header class="top">
      <h1>riskgate console</h1>
      <nav aria-label="Views">
        <ul>
          ${allowed.map(
            (v) =>
              html`<li><a href=${`#${v.id}`} aria-current=${v.id === current?.id ? "page" : undefined}>${v.label}</a></li>`,
          )}
        </ul>
      </nav>
      <p class="who">
        Signed in as <strong data-testid="who">${auth.session.name}</strong>
        <span class="scopes">(${auth.session.scopes.join(", ")})</span>
        <button type="button" class="link" onClick=${signOut}>Sign out</button>
      </p>
    </header>
    <main id="main" tabindex="-1">
      ${
        current === undefined
          ? html`<p role="status">This key may only score checkouts (scope: ${auth.session.scopes.join(", ")}):
              the console has nothing to show it.</p>`
          : current.id === "live"
            ? html`<${LiveView} api=${auth.api} onAuthError=${onAuthError} />`
            : current.id === "kill-switch"
              ? html`<${KillSwitchView} api=${auth.api} onAuthError=${onAuthError} />`
              : html`<${ReviewView} api=${auth.api} reviewer=${auth.session.name} onAuthError=${onAuthError} />`
      }
    </main>
  `;
}

const initial = viewOfHash();
performance.mark(`nav:${initial ?? "live"}`);
const root = document.getElementById("app") as HTMLElement;
// The loading line is there for a slow first load only; render appends to what it finds.
root.replaceChildren();
render(html`<${App} />`, root);
