import { useState } from "preact/hooks";
import { ApiError } from "../api.ts";
import { html } from "../html.ts";

export function SignIn(props: { onSignIn: (key: string) => Promise<void> }) {
  const [key, setKey] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await props.onSignIn(key.trim());
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? "That API key is not valid." : String(err));
    } finally {
      setBusy(false);
    }
  };
  return html`
    <main class="sign-in">
      <h1>riskgate console</h1>
      <form onSubmit=${submit} aria-describedby="key-help">
        <label for="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autocomplete="off"
          required
          minlength="16"
          value=${key}
          onInput=${(e: Event) => setKey((e.target as HTMLInputElement).value)}
          aria-invalid=${error ? "true" : undefined}
        />
        <p id="key-help" class="help">
          Your personal key. It is kept in this tab's session storage only and sent to this server alone.
        </p>
        ${error && html`<p role="alert" class="error">${error}</p>`}
        <button type="submit" disabled=${busy}>${busy ? "Signing in…" : "Sign in"}</button>
      </form>
    </main>
  `;
}
