import type { TimestampNs } from '../../src/core/time.ts';

/**
 * Time of validity for counter-numbered samples that arrive in bursts (an FTDI dongle delivers
 * Cyton packets every ~16 ms latency-timer tick). Arrival is always *late*, never early, so the
 * lower envelope of `arrival − n·period` over a sliding window is the best estimate of when sample 0
 * was taken (plus the fixed transport latency, which is unknown here and left to clock sync):
 * t(n) = min_window(arrival_k − k·period) + n·period. The sliding minimum (monotonic deque) follows
 * slow drift between the device crystal and the host clock; a reset starts over after a reconnect.
 */
export class ArrivalDejitter {
  readonly #periodNs: number;
  readonly #window: number;
  /** (index, offset) pairs with increasing offsets: the front is the window minimum. */
  #deque: { n: number; off: number }[] = [];
  /** First arrival: offsets are relative to it, so doubles keep ns precision (epoch ns need 61 bits). */
  #base: bigint | undefined;

  constructor(o: { rateHz: number; windowSamples?: number }) {
    this.#periodNs = 1e9 / o.rateHz;
    this.#window = o.windowSamples ?? 1024;
  }

  /** Records sample `n` (a monotonic sample number) arriving at `arrival`; returns its estimated time. */
  observe(n: number, arrival: TimestampNs): TimestampNs {
    this.#base ??= arrival;
    const off = Number(arrival - this.#base) - n * this.#periodNs;
    const d = this.#deque;
    while (d.length > 0 && d[d.length - 1]!.off >= off) d.pop();
    d.push({ n, off });
    while (d.length > 0 && d[0]!.n <= n - this.#window) d.shift();
    return this.timeOf(n);
  }

  /** Estimated time of sample `n` (after at least one observation). */
  timeOf(n: number): TimestampNs {
    const front = this.#deque[0];
    if (!front || this.#base === undefined) return 0n;
    return this.#base + BigInt(Math.round(front.off + n * this.#periodNs));
  }

  reset(): void {
    this.#deque = [];
    this.#base = undefined;
  }
}
