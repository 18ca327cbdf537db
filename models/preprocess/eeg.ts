import type { EegChunk } from '../../src/core/index.ts';
import { butterworth, filtfilt, notch, type Biquad } from './biquad.ts';
import { inputError, preprocessor, type Preprocessor } from './preprocessor.ts';
import { residualProjector } from './residual.ts';
import type { EegSpec } from './spec.ts';

/**
 * Notch quality factor. Q = 5 gives a ±5 Hz stop band: mains wanders by ±0.2 Hz and a narrower
 * notch would ring for longer than the 1 s window can absorb (ring-down ≈ Q/(π·f0) = 32 ms here).
 */
export const NOTCH_Q = 5;

/** The cascade the EEG preprocessor runs (notches, then 2nd-order high-pass, 4th-order low-pass). */
export function eegSections(spec: EegSpec): Biquad[] {
  return [
    ...spec.notchHz.map((f) => notch(f, spec.rateHz, NOTCH_Q)),
    ...butterworth('highpass', spec.bandHz[0], spec.rateHz, 2),
    ...butterworth('lowpass', spec.bandHz[1], spec.rateHz, 4),
  ];
}

/**
 * EEG windows → `[channels, length]` (CONTRACT.md): per channel, the newest `length` samples;
 * linear detrend (removes the electrodes' DC offsets of tens of mV and their drift) done jointly
 * with a least-squares fit of each `notchHz` line (sin, cos, and both × t, which absorbs mains a
 * few tenths of a Hz off nominal); then IIR notches at each `notchHz` and the `bandHz` band-pass,
 * zero-phase (forward–backward, mirror padding of length − 1 samples: scipy's sosfiltfilt with
 * padtype 'even'); then ÷ `scaleUv`.
 *
 * Why the line fit: on a 1 s window an IIR notch alone leaves the filter's edge transients, and
 * mains pickup is 10–20× the EEG (the real Cyton file has 80–260 µV rms): notch + band-pass reach
 * only ~20 dB. With the fit, a 50 Hz line drops by > 250 dB, 49.8 Hz by 40 dB, while 10 Hz passes
 * within 0.1 dB (models/preprocess/eeg.test.ts). Windows longer than `length` use the newest
 * samples; shorter ones are an error (the caller's window is too short).
 */
export function createEegPreprocessor(spec: EegSpec): Preprocessor<EegChunk> {
  const { channels, length: n } = spec;
  if (n < 8) throw inputError(spec, `length ${n} is too short to filter`);
  const sections = eegSections(spec);
  const pad = n - 1;
  const x = new Float64Array(n);
  const work = new Float64Array(n + 2 * pad);
  const removeTrendAndLines = residualProjector(trendAndLineBasis(spec), n);
  return preprocessor<EegChunk>(spec, [channels, n], (chunk, out) => {
    if (chunk.channels !== channels) throw inputError(spec, `expected ${channels} channels, got ${chunk.channels}`);
    if (Math.abs(chunk.rateHz - spec.rateHz) > 1e-6) throw inputError(spec, `expected ${spec.rateHz} Hz, got ${chunk.rateHz} Hz (resample upstream)`);
    const total = chunk.channels === 0 ? 0 : chunk.data.length / chunk.channels;
    if (!Number.isInteger(total)) throw inputError(spec, `data length ${chunk.data.length} is not a multiple of ${channels} channels`);
    if (total < n) throw inputError(spec, `need ${n} samples per channel (${n / spec.rateHz} s), got ${total}`);
    const first = total - n;
    const inv = 1 / spec.scaleUv;
    for (let c = 0; c < channels; c++) {
      const base = c * total + first;
      for (let i = 0; i < n; i++) x[i] = chunk.data[base + i] as number;
      removeTrendAndLines(x);
      filtfilt(sections, x, n, pad, work);
      const o = c * n;
      for (let i = 0; i < n; i++) out[o + i] = (work[pad + i] as number) * inv;
    }
  });
}

/** Columns 1, t, and sin, cos, t·sin, t·cos of each line frequency; t in seconds, centred. */
function trendAndLineBasis(spec: EegSpec): Float64Array[] {
  const n = spec.length;
  const t = Float64Array.from({ length: n }, (_, i) => (i - (n - 1) / 2) / spec.rateHz);
  const cols = [new Float64Array(n).fill(1), t];
  for (const f of spec.notchHz) {
    const w = 2 * Math.PI * f;
    const s = t.map((ti) => Math.sin(w * ti));
    const c = t.map((ti) => Math.cos(w * ti));
    cols.push(s, c, s.map((v, i) => v * (t[i] as number)), c.map((v, i) => v * (t[i] as number)));
  }
  return cols;
}
