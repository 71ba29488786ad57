import type { SignalSource } from "./shutdown.ts";

const STOP_SIGNALS: readonly NodeJS.Signals[] = ["SIGTERM", "SIGINT"];
// A first signal starts the shutdown and a second cuts it short; any more change nothing.
const MAX_HELD = 2;

type Listener = (signal: NodeJS.Signals) => void;

/**
 * Takes SIGTERM and SIGINT from the moment it is made and hands them to the listeners added later
 * (onShutdownSignal's `signals`), those that arrived before a listener included. Made on the first
 * line of an entry module that loads the service afterwards: a signal while the modules load (half
 * a second on a busy machine) then starts the same shutdown as one later, where the default action
 * would have killed the process by the signal.
 */
export class SignalLatch implements SignalSource {
  readonly #listeners = new Map<NodeJS.Signals, Listener[]>();
  readonly #held: NodeJS.Signals[] = [];

  constructor(source: SignalSource = process) {
    for (const signal of STOP_SIGNALS) source.on(signal, (s) => this.#deliver(s));
  }

  on(signal: NodeJS.Signals, listener: Listener): this {
    this.#listeners.set(signal, [...(this.#listeners.get(signal) ?? []), listener]);
    const held = this.#held.filter((s) => s === signal);
    if (held.length > 0) {
      this.#held.splice(0, this.#held.length, ...this.#held.filter((s) => s !== signal));
      // After the caller's other listeners are added: onShutdownSignal adds SIGINT after SIGTERM.
      queueMicrotask(() => {
        for (const s of held) listener(s);
      });
    }
    return this;
  }

  #deliver(signal: NodeJS.Signals): void {
    const listeners = this.#listeners.get(signal) ?? [];
    if (listeners.length === 0) {
      if (this.#held.length < MAX_HELD) this.#held.push(signal);
      return;
    }
    for (const listener of listeners) listener(signal);
  }
}
