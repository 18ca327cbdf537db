import type { Sample } from '../../core/sample.ts';
import { eegLength } from '../../core/sample.ts';
import type { TimestampNs } from '../../core/time.ts';
import type { SourceBuffer } from '../source-buffer.ts';
import type { InputPolicy, Member } from '../types.ts';

export interface WindowPolicyOptions {
  /** Window length L: the last L seconds ending at the trigger. */
  lengthNs: bigint;
  /** Samples per channel in the output (the model's fixed input length). */
  samples: number;
  /** If the newest sample in the window is older than this, the input is `missing`. */
  maxAgeNs: bigint;
}

/**
 * For EEG and other continuous streams: the last L seconds of chunks ending at the trigger,
 * delivered as one fixed-length chunk. When the source rate already gives `samples` per window
 * (250 Hz × 1 s = 250) the newest `samples` are copied unchanged — exactly what the training export
 * takes; otherwise they are linearly resampled onto a uniform grid. Gaps in the sample index are
 * detected and reported (the window then reaches further back to stay full).
 */
export class WindowPolicy implements InputPolicy {
  readonly name = 'window';
  readonly maxAgeNs: bigint;
  readonly #lengthNs: bigint;
  readonly #n: number;
  #lastNewest: Sample<'eeg'> | undefined;

  constructor(options: WindowPolicyOptions) {
    if (options.lengthNs <= 0n) throw new RangeError('length must be > 0');
    if (!Number.isInteger(options.samples) || options.samples < 2) throw new RangeError('samples must be an integer >= 2');
    this.#lengthNs = options.lengthNs;
    this.#n = options.samples;
    this.maxAgeNs = options.maxAgeNs;
  }

  horizon(t: TimestampNs): TimestampNs {
    // Keep one window plus slack for gaps and chunk boundaries.
    return t - this.#lengthNs * 2n - this.maxAgeNs;
  }

  select(buffer: SourceBuffer, t: TimestampNs): Member {
    const chunks = buffer.lastUpTo(t, 4096).filter((s): s is Sample<'eeg'> => s.kind === 'eeg');
    const newest = chunks[chunks.length - 1];
    if (!newest) return { state: 'missing', reason: 'no-data' };
    const rate = newest.payload.rateHz;
    const periodNs = 1e9 / rate;
    const newestLen = eegLength(newest.payload);
    const newestEnd = newest.t + BigInt(Math.round((newestLen - 1) * periodNs));
    const ageNs = t - newestEnd;
    if (ageNs > this.maxAgeNs) return { state: 'missing', reason: 'stale', ageNs };

    const exact = Math.abs((rate * Number(this.#lengthNs)) / 1e9 - this.#n) < 1e-6;
    const need = exact ? this.#n : Math.ceil((rate * Number(this.#lengthNs)) / 1e9) + 1;
    // Walk back over chunks until `need` samples are gathered, noting index gaps.
    let have = 0;
    let gaps = 0;
    let gapSamples = 0;
    let first = chunks.length;
    for (let i = chunks.length - 1; i >= 0 && have < need; i--) {
      const c = chunks[i] as Sample<'eeg'>;
      const next = chunks[i + 1];
      if (next) {
        const expected = c.payload.firstSampleIndex + eegLength(c.payload);
        if (next.payload.firstSampleIndex !== expected) {
          gaps++;
          gapSamples += Math.max(0, next.payload.firstSampleIndex - expected);
        }
      }
      have += eegLength(c.payload);
      first = i;
    }
    if (have < need) return { state: 'missing', reason: 'warming-up', ageNs };

    const channels = newest.payload.channels;
    const used = chunks.slice(first);
    const out = new Float32Array(channels * this.#n);
    if (exact) {
      // Newest `n` samples, unchanged.
      let remaining = this.#n;
      for (let i = used.length - 1; i >= 0 && remaining > 0; i--) {
        const c = used[i] as Sample<'eeg'>;
        const len = eegLength(c.payload);
        const take = Math.min(len, remaining);
        remaining -= take;
        // An index loop, not subarray + set: a view object per channel per chunk was ~20 KB of
        // garbage per 1 s window (100 chunks × 8 channels), a fifth of the main thread's.
        const data = c.payload.data;
        for (let ch = 0; ch < channels; ch++) {
          const from = ch * len + (len - take);
          const to = ch * this.#n + remaining;
          for (let k = 0; k < take; k++) out[to + k] = data[from + k] as number;
        }
      }
    } else {
      resampleInto(out, used, channels, this.#n, newestEnd - this.#lengthNs, this.#lengthNs, periodNs);
    }
    const firstIndex = newest.payload.firstSampleIndex + newestLen - this.#n;
    const window: Sample<'eeg'> = {
      kind: 'eeg',
      sourceId: newest.sourceId,
      seq: newest.seq,
      t: newestEnd - this.#lengthNs + BigInt(Math.round(periodNs)),
      tEnd: newestEnd,
      receivedAt: newest.receivedAt,
      payload: {
        rateHz: Number(this.#n) / (Number(this.#lengthNs) / 1e9),
        channels,
        ...(newest.payload.channelNames ? { channelNames: newest.payload.channelNames } : {}),
        data: out,
        firstSampleIndex: firstIndex,
      },
    };
    for (const c of used) buffer.markUsed(c);
    const state = newest === this.#lastNewest ? 'held' : 'fresh';
    this.#lastNewest = newest;
    return { state, sample: window, ageNs, ...(gaps ? { gaps, gapSamples } : {}) };
  }
}

/** Linear interpolation of the chunks' samples (stamped t + i/rate) onto `n` uniform points. */
function resampleInto(out: Float32Array, chunks: Sample<'eeg'>[], channels: number, n: number, start: bigint, lengthNs: bigint, periodNs: number): void {
  const times: number[] = [];
  const values: number[][] = Array.from({ length: channels }, () => []);
  for (const c of chunks) {
    const len = eegLength(c.payload);
    for (let i = 0; i < len; i++) {
      times.push(Number(c.t - start) + i * periodNs);
      for (let ch = 0; ch < channels; ch++) (values[ch] as number[]).push(c.payload.data[ch * len + i] as number);
    }
  }
  const step = Number(lengthNs) / n;
  let j = 0;
  for (let k = 0; k < n; k++) {
    const tk = (k + 1) * step;
    while (j < times.length - 2 && (times[j + 1] as number) < tk) j++;
    const t0 = times[j] as number;
    const t1 = times[j + 1] ?? t0;
    const w = t1 > t0 ? Math.min(1, Math.max(0, (tk - t0) / (t1 - t0))) : 0;
    for (let ch = 0; ch < channels; ch++) {
      const v = values[ch] as number[];
      out[ch * n + k] = (v[j] as number) * (1 - w) + (v[j + 1] ?? (v[j] as number)) * w;
    }
  }
}
