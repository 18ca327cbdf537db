import type { AnySample } from '../../core/sample.ts';
import type { TimestampNs } from '../../core/time.ts';
import type { SourceBuffer } from '../source-buffer.ts';
import type { InputPolicy, Member } from '../types.ts';

export interface LatestPolicyOptions {
  /** A sample older than this at the trigger is `missing`, never silently reused. */
  maxAgeNs: bigint;
}

/**
 * Zero-order hold: the newest sample at or before the trigger, `fresh` the first time it is used,
 * `held` after, `missing` once older than `maxAge` (ROS 2 LatestTime / MediaPipe PacketCloner, with
 * the staleness bound they lack).
 */
export class LatestPolicy implements InputPolicy {
  readonly name = 'latest';
  readonly maxAgeNs: bigint;
  #last: AnySample | undefined;

  constructor(options: LatestPolicyOptions) {
    if (options.maxAgeNs <= 0n) throw new RangeError('maxAge must be > 0');
    this.maxAgeNs = options.maxAgeNs;
  }

  select(buffer: SourceBuffer, t: TimestampNs): Member {
    const s = buffer.latestAtOrBefore(t);
    if (!s) return { state: 'missing', reason: 'no-data' };
    const ageNs = t - s.t;
    if (ageNs > this.maxAgeNs) return { state: 'missing', reason: 'stale', ageNs };
    const state = s === this.#last ? 'held' : 'fresh';
    this.#last = s;
    return { state, sample: s, ageNs };
  }

  horizon(t: TimestampNs): TimestampNs {
    return t - this.maxAgeNs;
  }
}
