import { describe, expect, it } from 'vitest';
import type { EegChunk } from '../../src/core/index.ts';
import { createEegPreprocessor } from './eeg.ts';
import type { EegSpec } from './spec.ts';

const spec: EegSpec = { op: 'eeg', channels: 8, rateHz: 250, length: 250, notchHz: [50, 60], bandHz: [1, 40], scaleUv: 50 };

function chunk(n: number, f: (c: number, t: number) => number): EegChunk {
  const data = new Float32Array(8 * n);
  for (let c = 0; c < 8; c++) for (let i = 0; i < n; i++) data[c * n + i] = f(c, i / 250);
  return { rateHz: 250, channels: 8, data, firstSampleIndex: 0 };
}

/** Output power / input power (input scaled like the output) over all channels, in dB. */
function gainDb(freq: number, phase: number, dc = 0): number {
  const input = chunk(250, (c, t) => dc + 100 * Math.sin(2 * Math.PI * freq * t + phase + c));
  const out = createEegPreprocessor(spec)(input);
  let pin = 0;
  let pout = 0;
  for (let k = 0; k < out.length; k++) {
    const x = ((input.data[k] as number) - dc) / spec.scaleUv;
    pin += x * x;
    pout += (out[k] as number) ** 2;
  }
  return 10 * Math.log10(pout / pin);
}

const PHASES = [0, 0.5, 1, 1.5, 2, 2.5, 3, 4, 5, 6];

describe('EEG preprocessing', () => {
  it('has the contract shape [8, 250]', () => {
    expect(createEegPreprocessor(spec).shape).toEqual([8, 250]);
  });

  it('attenuates 50 Hz and 60 Hz mains by more than 30 dB over the whole 1 s window, at any phase', () => {
    for (const f of [50, 60, 49.8, 50.2, 59.8]) for (const ph of PHASES) expect(gainDb(f, ph)).toBeLessThan(-30);
  });

  it('passes 10 Hz (and 5–20 Hz) within 1 dB', () => {
    for (const f of [5, 10, 20]) {
      for (const ph of PHASES) expect(Math.abs(gainDb(f, ph))).toBeLessThan(1);
    }
  });

  it('removes a DC offset of 60 000 µV (and a slow drift) completely', () => {
    const withDc = createEegPreprocessor(spec)(chunk(250, (c, t) => 60000 - 5000 * c + 300 * t + 20 * Math.sin(2 * Math.PI * 10 * t)));
    const without = createEegPreprocessor(spec)(chunk(250, (_c, t) => 20 * Math.sin(2 * Math.PI * 10 * t)));
    for (let k = 0; k < withDc.length; k++) expect(Math.abs((withDc[k] as number) - (without[k] as number))).toBeLessThan(1e-4);
  });

  it('uses the newest 250 samples of a longer window', () => {
    const long = chunk(400, (c, t) => Math.sin(7 * t + c) * 40 + c * 1000);
    const last = chunk(250, (c, t) => Math.sin(7 * (t + 150 / 250) + c) * 40 + c * 1000);
    const a = createEegPreprocessor(spec)(long);
    const b = createEegPreprocessor(spec)(last);
    for (let k = 0; k < a.length; k++) expect(a[k]).toBeCloseTo(b[k] as number, 4);
  });

  it('refuses a window shorter than 250 samples, a wrong rate or channel count', () => {
    const p = createEegPreprocessor(spec);
    expect(() => p(chunk(249, () => 0))).toThrow(/need 250 samples per channel/);
    expect(() => p({ ...chunk(250, () => 0), rateHz: 200 })).toThrow(/250 Hz/);
    expect(() => p({ rateHz: 250, channels: 4, data: new Float32Array(1000), firstSampleIndex: 0 })).toThrow(/8 channels/);
  });

  // Golden values from scipy 1.17 (numpy 2.4) for the same input and filter: least-squares removal
  // of [1, t, sin/cos(2π·f·t), t·sin/cos(2π·f·t) for f in 50, 60] then
  // scipy.signal.sosfiltfilt(sos, x, padtype='even', padlen=249) / 50, sos = eegSections(spec).
  // TS and scipy agree to 3e-8; the tolerance allows float32 input/output rounding.
  const GOLDEN: [number, number, number][] = [
    [0, 0, -0.190431], [0, 125, 0.171982], [0, 249, -0.195935], [3, 17, 0.677527],
    [3, 200, -0.043917], [7, 60, -0.060138], [7, 249, 0.272573], [5, 100, -0.803054],
  ];
  const ATOL = 1e-5;

  it('matches scipy golden values on a known input (DC, drift, 10/23/3 Hz, 50 Hz line; 300 samples)', () => {
    const input = chunk(300, (c, t) =>
      20000 * (c - 3.5) + 300 * t + 30 * Math.sin(2 * Math.PI * 10 * t + c) + 150 * Math.sin(2 * Math.PI * 50 * t + 0.3 * c) +
      8 * Math.sin(2 * Math.PI * 23 * t) + 5 * Math.cos(2 * Math.PI * 3 * t + c));
    const out = createEegPreprocessor(spec)(input);
    for (const [c, i, want] of GOLDEN) expect(Math.abs((out[c * 250 + i] as number) - want)).toBeLessThan(ATOL);
  });
});
