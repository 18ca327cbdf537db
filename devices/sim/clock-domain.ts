import type { TimestampNs } from '../../src/core/index.ts';
import { Stream, hi32, uniform } from './hash.ts';
import { T_REF_NS } from './sim-time.ts';

/** A device clock relative to the host timeline, and its transport. */
export interface ClockParams {
  /** Device clock reading at host time T_REF, ms (it counts from its own power-on). */
  offsetMs: number;
  /** Device oscillator error: + runs fast. */
  driftPpm: number;
  /** Mean of the one-sided (exponential) transport jitter, ms. */
  jitterMs: number;
  /** Fixed one-sided transport latency, ms. */
  latencyMs: number;
}

export interface ClockDomainOptions {
  seed: number;
  /** Distinguishes devices of one world in the hashes (0 camera, 1 depth, 2 lidar, 3 eeg). */
  deviceKey: number;
  /** Device sampling grid, Hz (frames/s; EEG: samples/s). */
  rateHz: number;
  /** Grid samples per delivered frame (EEG chunk: 10; everything else 1). */
  frameSamples: number;
  /** Time from a frame's first grid instant to the moment its data is complete (LiDAR sweep). */
  durationNs: bigint;
  clock: ClockParams;
  /** Probability that a frame is lost in transport. */
  dropout: number;
}

const GIGA = 1_000_000_000n;

/**
 * One device's clock domain. The device counts nominal periods on its own oscillator: grid sample
 * n is taken when the device clock reads `n / rate` (so `deviceT` advances by exactly the nominal
 * period), and the device clock runs `1 + drift` times as fast as the host timeline. Host capture
 * times, arrival times (`+ duration + latency + jitter`) and dropouts are pure functions of
 * (seed, device, frame index): the driver and the snapshot API see the very same frames.
 */
export class ClockDomain {
  readonly o: ClockDomainOptions;
  readonly #ppb: bigint;
  readonly #offsetNs: bigint;
  readonly #rate: bigint;
  readonly #latencyNs: bigint;
  readonly #jitterCapNs: number;

  constructor(options: ClockDomainOptions) {
    this.o = options;
    this.#ppb = BigInt(Math.round(options.clock.driftPpm * 1000));
    this.#offsetNs = BigInt(Math.round(options.clock.offsetMs * 1e6));
    this.#rate = BigInt(options.rateHz);
    this.#latencyNs = BigInt(Math.round(options.clock.latencyMs * 1e6));
    // Cap jitter below one frame period so arrivals stay in order (a serial link does not reorder).
    this.#jitterCapNs = (0.8 * 1e9 * options.frameSamples) / options.rateHz;
  }

  /** Device clock reading (ns) of grid sample n. */
  gridDeviceTime(n: number): bigint {
    return floorDiv(BigInt(n) * GIGA, this.#rate);
  }

  /** Host time at which grid sample n is taken. */
  gridTime(n: number): TimestampNs {
    return T_REF_NS + floorDiv((this.gridDeviceTime(n) - this.#offsetNs) * GIGA, GIGA + this.#ppb);
  }

  /** Host time of frame k's first grid sample (its time of validity). */
  captureTime(k: number): TimestampNs {
    return this.gridTime(k * this.o.frameSamples);
  }

  /** The device's own stamp of frame k. */
  deviceTime(k: number): bigint {
    return this.gridDeviceTime(k * this.o.frameSamples);
  }

  /** Typical delay from time of validity to arrival (what `describe()` reports). */
  nominalLatencyNs(): bigint {
    return this.o.durationNs + this.#latencyNs;
  }

  receivedAt(k: number): TimestampNs {
    const u = uniform(this.o.seed, Stream.jitter, this.o.deviceKey, k, hi32(k));
    const j = Math.min(this.#jitterCapNs, -this.o.clock.jitterMs * 1e6 * Math.log(1 - u));
    return this.captureTime(k) + this.nominalLatencyNs() + BigInt(Math.round(j));
  }

  dropped(k: number): boolean {
    return this.o.dropout > 0 && uniform(this.o.seed, Stream.dropout, this.o.deviceKey, k, hi32(k)) < this.o.dropout;
  }

  /** Largest grid sample index n with `gridTime(n) <= t`. */
  gridIndexAtOrBefore(t: TimestampNs): number {
    const device = this.#offsetNs + floorDiv((t - T_REF_NS) * (GIGA + this.#ppb), GIGA);
    let n = Number(floorDiv(device * this.#rate, GIGA));
    while (this.gridTime(n + 1) <= t) n++;
    while (this.gridTime(n) > t) n--;
    return n;
  }

  /** Largest frame index k with `captureTime(k) <= t`. */
  frameAtOrBefore(t: TimestampNs): number {
    return Math.floor(this.gridIndexAtOrBefore(t) / this.o.frameSamples);
  }
}

/** Default clock of a simulated device: seeded offset and drift, typical transport figures. */
export function defaultClock(seed: number, deviceKey: number, transport: { jitterMs: number; latencyMs: number }): ClockParams {
  return {
    offsetMs: 1e6 * uniform(seed, Stream.clock, deviceKey, 0),
    driftPpm: -40 + 80 * uniform(seed, Stream.clock, deviceKey, 1),
    ...transport,
  };
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}
