import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "../api.ts";
import { markRendered } from "../html.ts";

/**
 * Loads `load()` now and every `everyMs`, marking the view rendered after its first answer. Returns
 * the last data, the last error (cleared by a success) and a `reload` for after an action.
 */
export function usePoll<T>(
  view: string,
  load: () => Promise<T>,
  everyMs: number,
  onAuthError: (e: unknown) => void,
) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const first = useRef(true);
  const loadRef = useRef(load);
  loadRef.current = load;

  const reload = async () => {
    try {
      setData(await loadRef.current());
      setError(null);
    } catch (err) {
      onAuthError(err);
      setError(err instanceof ApiError ? `${err.message} (${err.code})` : String(err));
    }
  };

  useEffect(() => {
    void reload();
    const t = setInterval(() => void reload(), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);

  useEffect(() => {
    if (data !== null && first.current) {
      first.current = false;
      // After the browser has painted the first data.
      requestAnimationFrame(() => markRendered(view));
    }
  }, [data]);

  return { data, error, reload };
}
