import type { TimestampNs } from '../../core/time.ts';
import { ClockSync, type ClockEvent, type ClockSyncOptions } from './clock-sync.ts';
import { SampleCounter, type SampleCounterStats } from './sample-counter.ts';

export interface CounterClockOptions {
  /** Counter width (OpenBCI Cyton: 8). */
  bits: number;
  nominalHz: number;
  /** See {@link SampleCounter}. */
  maxJitterNs?: number;
  sync?: ClockSyncOptions;
}

export interface CounterStamp {
  /** Sample number (unwrapped counter). */
  n: number;
  /** Time of validity on the host timeline, dejittered. */
  t: TimestampNs;
  dropped: number;
  event?: ClockEvent;
}

/**
 * Per-sample times for a source that has only a sample counter at a nominal rate (OpenBCI
 * Cyton): the counter is unwrapped into sample numbers (wraps, drops, restarts), sample `n`'s
 * device time is `n / nominalHz`, and a {@link ClockSync} maps that onto the host timeline from
 * the arrival times. This is what sensor-protocols §1.7 asks for ("de-jitter using the sample
 * counter at a nominal 4 ms spacing"), with drift, drops and resets handled.
 */
export class CounterClock {
  readonly sync: ClockSync;
  readonly #counter: SampleCounter;
  readonly #periodNs: number;

  constructor(o: CounterClockOptions) {
    this.#counter = new SampleCounter({ bits: o.bits, nominalHz: o.nominalHz, ...(o.maxJitterNs !== undefined ? { maxJitterNs: o.maxJitterNs } : {}) });
    this.#periodNs = 1e9 / o.nominalHz;
    this.sync = new ClockSync(o.sync);
  }

  observe(counter: number, arrivalNs: TimestampNs): CounterStamp {
    const step = this.#counter.next(counter, arrivalNs);
    const o = this.sync.observe(step.n * this.#periodNs, arrivalNs, { discontinuity: step.reset });
    return { n: step.n, t: o.t, dropped: step.dropped, ...(o.event ? { event: o.event } : {}) };
  }

  counterStats(): SampleCounterStats {
    return this.#counter.stats();
  }
}
