import type { Sample } from '../../src/core/sample.ts';

/** A tiny camera frame sample at time t (ns). */
export function imageAt(t: bigint, seq = 0, sourceId = 'cam'): Sample<'image'> {
  return { kind: 'image', sourceId, seq, t, receivedAt: t, payload: { width: 2, height: 1, format: 'rgb24', data: new Uint8Array(6).fill(seq & 255) } };
}

/**
 * An EEG chunk of `n` samples per channel starting at global sample index `first`, stamped at
 * `t0 + first/rate`. Channel c, sample k holds the value `c * 1e6 + k` (so windows are checkable).
 */
export function eegChunk(first: number, n: number, opts: { rate?: number; channels?: number; t0?: bigint; seq?: number } = {}): Sample<'eeg'> {
  const rate = opts.rate ?? 250;
  const channels = opts.channels ?? 2;
  const t0 = opts.t0 ?? 0n;
  const data = new Float32Array(channels * n);
  for (let c = 0; c < channels; c++) for (let i = 0; i < n; i++) data[c * n + i] = c * 1e6 + first + i;
  const t = t0 + BigInt(Math.round((first * 1e9) / rate));
  return { kind: 'eeg', sourceId: 'eeg', seq: opts.seq ?? first / n, t, tEnd: t + BigInt(Math.round(((n - 1) * 1e9) / rate)), receivedAt: t, payload: { rateHz: rate, channels, data, firstSampleIndex: first } };
}
