import { describe, expect, it } from 'vitest';
import { SampleCounter } from '../../../src/align/clock-sync/sample-counter.ts';

const MS = 1_000_000n;

describe('SampleCounter (8-bit Cyton counter at 250 Hz)', () => {
  const feed = (counter: SampleCounter, samples: [number, number][]) => samples.map(([c, ms]) => counter.next(c, BigInt(ms) * MS));

  it('unwraps 255 → 0 and counts small gaps', () => {
    const c = new SampleCounter({ bits: 8, nominalHz: 250 });
    const steps = feed(c, [[254, 0], [255, 4], [0, 8], [3, 20]]);
    expect(steps.map((s) => s.n)).toEqual([254, 255, 256, 259]);
    expect(steps[3]).toMatchObject({ dropped: 2, reset: false });
    expect(c.stats()).toEqual({ samples: 4, gaps: 1, dropped: 2, resets: 0 });
  });

  it('tells a loss of more than a whole counter cycle from a wrap by the arrival times', () => {
    const c = new SampleCounter({ bits: 8, nominalHz: 250 });
    // 300 samples lost after counter 11: the next is 11 + 301 ≡ 56 (mod 256) — 45 by the counter alone,
    // but 1.204 s passed, which is 301 samples.
    const steps = feed(c, [[10, 0], [11, 4], [56, 1208]]);
    expect(steps[2]).toMatchObject({ n: 312, dropped: 300 });
  });

  it('a counter that moves further than the time allows has restarted', () => {
    const c = new SampleCounter({ bits: 8, nominalHz: 250 });
    const steps = feed(c, [[100, 0], [101, 4], [0, 8], [1, 12]]);
    expect(steps[2]).toMatchObject({ reset: true, dropped: 0, n: 102 });
    expect(steps[3]?.n).toBe(103);
    expect(c.stats().resets).toBe(1);
  });

  it('bursty arrivals (several samples in one USB read) are not gaps', () => {
    const c = new SampleCounter({ bits: 8, nominalHz: 250 });
    const steps = feed(c, [[0, 0], [1, 0], [2, 0], [3, 31], [4, 31]]);
    expect(steps.map((s) => s.n)).toEqual([0, 1, 2, 3, 4]);
    expect(c.stats().gaps).toBe(0);
  });
});
