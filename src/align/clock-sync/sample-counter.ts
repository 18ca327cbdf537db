import type { TimestampNs } from '../../core/time.ts';

export interface SampleCounterOptions {
  /** Width of the device's counter (OpenBCI Cyton: 8, wrapping 255 → 0; sensor-protocols §1.3). */
  bits: number;
  /** Nominal sample rate, Hz: how far the counter should move per second of arrival time. */
  nominalHz: number;
  /**
   * Largest arrival-time error believed (default 250 ms): samples can arrive this much later than
   * their neighbours (USB latency timer, OS scheduling). A counter that moved further than the
   * arrival times allow by more than this is a restart, not dropped samples.
   */
  maxJitterNs?: number;
}

export interface CounterStep {
  /** Sample number since the stream began (the counter, unwrapped). */
  n: number;
  /** Samples lost just before this one. */
  dropped: number;
  /** The counter restarted (device reset): `n` continues from the arrival times instead. */
  reset: boolean;
}

export interface SampleCounterStats {
  samples: number;
  /** Places where samples were lost, and how many in total. */
  gaps: number;
  dropped: number;
  resets: number;
}

/**
 * Unwraps a short wrapping sample counter into sample numbers, using arrival times to tell a
 * wrap from a loss of more than a whole counter cycle (an 8-bit counter at 250 Hz wraps every
 * 1.024 s, so losing ≥ 256 samples is invisible in the counter alone) and a loss from a restart.
 * Pure: no clock, no I/O.
 */
export class SampleCounter {
  readonly #mod: number;
  readonly #rate: number;
  readonly #tolSamples: number;
  #prevCounter: number | undefined;
  #prevArrival: TimestampNs | undefined;
  #n = 0;
  readonly #stats: SampleCounterStats = { samples: 0, gaps: 0, dropped: 0, resets: 0 };

  constructor(o: SampleCounterOptions) {
    if (!Number.isInteger(o.bits) || o.bits < 1 || o.bits > 31) throw new RangeError('bits must be an integer in 1..31');
    if (!(o.nominalHz > 0)) throw new RangeError('nominalHz must be > 0');
    this.#mod = 2 ** o.bits;
    this.#rate = o.nominalHz;
    this.#tolSamples = ((o.maxJitterNs ?? 250e6) / 1e9) * o.nominalHz + 2;
  }

  next(counter: number, arrivalNs?: TimestampNs): CounterStep {
    const c = ((Math.trunc(counter) % this.#mod) + this.#mod) % this.#mod;
    this.#stats.samples++;
    const prev = this.#prevCounter;
    const prevArrival = this.#prevArrival;
    this.#prevCounter = c;
    this.#prevArrival = arrivalNs;
    if (prev === undefined) {
      this.#n = c;
      return { n: c, dropped: 0, reset: false };
    }
    const delta = (c - prev + this.#mod) % this.#mod;
    const elapsed = arrivalNs !== undefined && prevArrival !== undefined ? (Number(arrivalNs - prevArrival) / 1e9) * this.#rate : undefined;
    let advance: number;
    let reset = false;
    if (elapsed === undefined) {
      advance = delta === 0 ? this.#mod : delta;
    } else {
      const k = Math.max(delta === 0 ? 1 : 0, Math.round((elapsed - delta) / this.#mod));
      advance = delta + k * this.#mod;
      if (advance - elapsed > this.#tolSamples) {
        // The counter moved further than time allows: it restarted.
        reset = true;
        advance = Math.max(1, Math.round(elapsed));
      }
    }
    this.#n += advance;
    const dropped = reset ? 0 : advance - 1;
    if (dropped > 0) {
      this.#stats.gaps++;
      this.#stats.dropped += dropped;
    }
    if (reset) this.#stats.resets++;
    return { n: this.#n, dropped, reset };
  }

  stats(): SampleCounterStats {
    return { ...this.#stats };
  }
}
