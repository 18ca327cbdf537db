import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readEdf } from './reader.ts';

// EDFbrowser's test-signal generator file (pyEDFlib test data), test/fixtures/edf/SOURCE.md. The
// generator's stated signals (EDFlib test_generator.c header table): "sine 8 Hz", 100 µV, 200 Hz.
const rec = readEdf(readFileSync(new URL('../../../test/fixtures/edf/edfbrowser__test-generator.edf', import.meta.url)));

/** Amplitude of the sinusoid at `f` Hz by single-bin DFT (exact for an integer number of periods). */
function amplitudeAt(x: Float32Array, rate: number, f: number): number {
  let re = 0;
  let im = 0;
  for (let i = 0; i < x.length; i++) {
    re += x[i]! * Math.cos((2 * Math.PI * f * i) / rate);
    im -= x[i]! * Math.sin((2 * Math.PI * f * i) / rate);
  }
  return (2 * Math.hypot(re, im)) / x.length;
}

describe('readEdf (EDFbrowser generator file)', () => {
  it('reads the header: EDF+C, 12 signals, 600 × 1 s records, 200 Hz', () => {
    expect(rec).toMatchObject({ format: 'EDF+C', records: 600, recordDurationS: 1, truncatedBytes: 0 });
    expect(rec.signals.map((s) => s.label)).toEqual(['squarewave', 'ramp', 'pulse', 'noise', 'sine 1 Hz', 'sine 8 Hz', 'sine 8.1777 Hz', 'sine 8.5 Hz', 'sine 15 Hz', 'sine 17 Hz', 'sine 50 Hz', 'EDF Annotations']);
    const s8 = rec.signals[5]!;
    expect(s8).toMatchObject({ rateHz: 200, physicalDimension: 'uV', physicalMin: -1000, physicalMax: 1000, digitalMin: -32768, digitalMax: 32767 });
    expect(s8.data).toHaveLength(120_000);
    expect(rec.signals[11]!.annotation).toBe(true);
  });

  it('"sine 8 Hz" is an 8 Hz sine of 100 µV: peak, DFT amplitude, zero crossings', () => {
    const x = rec.signals[5]!.data;
    let peak = 0;
    for (const v of x) peak = Math.max(peak, Math.abs(v));
    const lsb = 2000 / 65535; // physical range / digital range
    // 200/8 = 25 samples per period: the sample nearest the crest is 3.6° off it (100·cos 3.6° = 99.80).
    expect(peak).toBeGreaterThan(100 * Math.cos((3.6 * Math.PI) / 180) - 2 * lsb);
    expect(peak).toBeLessThan(100 + 2 * lsb);
    expect(amplitudeAt(x, 200, 8)).toBeCloseTo(100, 1);
    expect(amplitudeAt(x, 200, 7)).toBeLessThan(0.1);
    let rising = 0;
    for (let i = 1; i < x.length; i++) if (x[i - 1]! < 0 && x[i]! >= 0) rising++;
    expect(rising / 600).toBeCloseTo(8, 2); // crossings per second
  });

  it('each labelled sine is at its stated frequency (the DFT peak over 1–60 Hz in 0.125 Hz steps)', () => {
    for (const [i, f] of [[4, 1], [5, 8], [7, 8.5], [8, 15], [9, 17], [10, 50]] as const) {
      const x = rec.signals[i]!.data.subarray(0, 200 * 8); // 8 s → 0.125 Hz resolution
      let best = 0;
      let bestF = 0;
      for (let g = 1; g <= 60; g += 0.125) {
        const a = amplitudeAt(x, 200, g);
        if (a > best) {
          best = a;
          bestF = g;
        }
      }
      expect(bestF).toBeCloseTo(f, 5);
      expect(best).toBeCloseTo(100, 0);
    }
  });

  it('reads the record time-keeping TALs (0, 1, 2 … s)', () => {
    expect(Array.from(rec.recordStartS.subarray(0, 3))).toEqual([0, 1, 2]);
  });
});
