/**
 * Reconnect delays: 100 ms, doubling, capped at 1 s (so a replugged device is back within the
 * 2 s the issue asks for, while a missing one costs one attempt per second). Deterministic, no
 * jitter: each source retries one device of its own, there is no herd to spread.
 */
export interface BackoffOptions {
  /** Default 100 ms. */
  initialMs?: number;
  /** Default 1000 ms. */
  maxMs?: number;
  /** Default 2. */
  factor?: number;
}

export class Backoff {
  readonly #initial: number;
  readonly #max: number;
  readonly #factor: number;
  #next: number;
  #attempts = 0;

  constructor(o: BackoffOptions = {}) {
    this.#initial = o.initialMs ?? 100;
    this.#max = o.maxMs ?? 1000;
    this.#factor = o.factor ?? 2;
    this.#next = this.#initial;
  }

  /** Delay before the next attempt, ms; each call grows the following one. */
  next(): number {
    const d = this.#next;
    this.#next = Math.min(this.#max, this.#next * this.#factor);
    this.#attempts++;
    return d;
  }

  /** Attempts since the last success. */
  get attempts(): number {
    return this.#attempts;
  }

  reset(): void {
    this.#next = this.#initial;
    this.#attempts = 0;
  }
}
