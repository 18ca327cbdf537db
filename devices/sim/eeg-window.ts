import type { EegChunk, TimestampNs } from '../../src/core/index.ts';
import { CHANNELS, EEG_RATE_HZ } from './eeg-profile.ts';
import { EegGenerator } from './eeg-generator.ts';
import type { DeviceOverrides, FactorOverrides, SimWorld } from './world.ts';

export interface EegWindowOptions {
  /** Samples per channel in the window. Default 250 (1 s, the model input). */
  length?: number;
  /**
   * Seconds generated and discarded before the window so the generator's filter state is
   * stationary. Default 2 (the slowest state decays with τ ≈ 0.32 s: 6 time constants).
   */
  warmupS?: number;
  overrides?: FactorOverrides;
  device?: DeviceOverrides;
}

export interface EegWindow {
  chunk: EegChunk;
  /** Host capture time of the first and last sample in the window. */
  t: TimestampNs;
  tLast: TimestampNs;
}

/**
 * The last `length` EEG samples captured at or before `t` on the headset's clock domain, as one
 * channel-major chunk (what the runtime's window policy hands to preprocessing). The generator
 * starts `warmupS` earlier, so the window is a stationary draw of the same process the driver
 * streams (same profile, events and clock; the coloured-noise realisation differs).
 */
export function eegWindowAt(world: SimWorld, t: TimestampNs, options: EegWindowOptions = {}): EegWindow {
  const length = options.length ?? 250;
  const warm = Math.round((options.warmupS ?? 2) * EEG_RATE_HZ);
  const clock = world.clock('eeg', options.device);
  const last = clock.gridIndexAtOrBefore(t);
  const first = last - length + 1;
  const ov = options.overrides ?? {};
  const gen = new EegGenerator({
    seed: world.seed,
    profile: world.eeg,
    lineHz: world.lineHz,
    sampleTime: (n) => clock.gridTime(n),
    engagement: (ts) => world.engagement(ts, ov),
    startIndex: first - warm,
  });
  gen.next(warm);
  const data = gen.next(length);
  return {
    chunk: { rateHz: EEG_RATE_HZ, channels: CHANNELS.length, channelNames: CHANNELS, data, firstSampleIndex: first },
    t: clock.gridTime(first),
    tLast: clock.gridTime(last),
  };
}
