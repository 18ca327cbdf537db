import { describe, expect, it } from 'vitest';
import { CHANNELS } from './eeg-profile.ts';
import { eegWindowAt } from './eeg-window.ts';
import { T_REF_NS } from './sim-time.ts';
import type { FactorOverrides } from './world.ts';
import { SimWorld } from './world.ts';

const FS = 250;
const T = T_REF_NS + 500_000_000_000n;

function record(world: SimWorld, seconds: number, overrides: FactorOverrides): Float64Array[] {
  const w = eegWindowAt(world, T, { length: seconds * FS, overrides });
  const n = seconds * FS;
  return CHANNELS.map((_, c) => Float64Array.from(w.chunk.data.subarray(c * n, (c + 1) * n)));
}

/** Mean power in [lo, hi] Hz of a detrended channel (direct DFT at ≤ ~100 of the record's bins). */
function bandPower(x: Float64Array, lo: number, hi: number): number {
  const n = x.length;
  const mean = x.reduce((a, b) => a + b, 0) / n;
  const mid = (n - 1) / 2;
  let sxy = 0;
  for (let i = 0; i < n; i++) sxy += (i - mid) * ((x[i] as number) - mean);
  const slope = sxy / ((n * (n * n - 1)) / 12);
  const y = Float64Array.from(x, (v, i) => v - mean - slope * (i - mid));
  const df = FS / n;
  const step = df * Math.max(1, Math.floor((hi - lo) / df / 100));
  let total = 0;
  let bins = 0;
  for (let f = Math.ceil(lo / df) * df; f <= hi + 1e-9; f += step, bins++) {
    let re = 0;
    let im = 0;
    const w = (2 * Math.PI * f) / FS;
    for (let i = 0; i < n; i++) {
      re += (y[i] as number) * Math.cos(w * i);
      im -= (y[i] as number) * Math.sin(w * i);
    }
    total += (re * re + im * im) / n;
  }
  return total / bins;
}

const O1 = CHANNELS.indexOf('O1');
const O2 = CHANNELS.indexOf('O2');
const FP1 = CHANNELS.indexOf('Fp1');
const T7 = CHANNELS.indexOf('T7');

describe('simulated EEG', () => {
  const world = new SimWorld({ seed: 1000 });
  const engaged = record(world, 20, { operator: 'engaged' });
  const resting = record(world, 20, { operator: 'resting' });

  it('has strong posterior alpha when resting: 8–12 Hz power ratio resting/engaged ≥ 4 on O1 and O2', () => {
    for (const c of [O1, O2]) {
      expect(bandPower(resting[c]!, 8, 12) / bandPower(engaged[c]!, 8, 12)).toBeGreaterThanOrEqual(4);
    }
  });

  it('carries 50 Hz mains pickup in the raw signal (60 Hz with lineHz: 60)', () => {
    for (const c of [0, 3, 7]) {
      expect(bandPower(engaged[c]!, 49.9, 50.1) / bandPower(engaged[c]!, 41, 47)).toBeGreaterThan(100);
      expect(bandPower(engaged[c]!, 59.9, 60.1) / bandPower(engaged[c]!, 41, 47)).toBeLessThan(5);
    }
    const us = record(new SimWorld({ seed: 1000, lineHz: 60 }), 4, { operator: 'engaged' });
    expect(bandPower(us[2]!, 59.9, 60.1) / bandPower(us[2]!, 41, 47)).toBeGreaterThan(100);
    expect(bandPower(us[2]!, 49.9, 50.1) / bandPower(us[2]!, 41, 47)).toBeLessThan(5);
  });

  it('sits on large per-channel DC offsets (tens of mV), like the real Cyton recording', () => {
    const offsets = engaged.map((x) => Math.abs(x.reduce((a, b) => a + b, 0) / x.length)).sort((a, b) => a - b);
    expect(offsets[offsets.length - 1]!).toBeGreaterThan(20000);
    expect(offsets[4]!).toBeGreaterThan(3000); // the median channel
  });

  it('blinks (frontal, 0.5–4 Hz) only when engaged', () => {
    expect(bandPower(engaged[FP1]!, 0.5, 4) / bandPower(resting[FP1]!, 0.5, 4)).toBeGreaterThan(5);
  });

  it('shows jaw-clench EMG on T7 (20–40 Hz) mostly when engaged', () => {
    const e = record(world, 60, { operator: 'engaged' });
    const r = record(world, 60, { operator: 'resting' });
    expect(bandPower(e[T7]!, 20, 40) / bandPower(r[T7]!, 20, 40)).toBeGreaterThan(1.5);
  });

  it('does not depend on the robot factor', () => {
    const a = eegWindowAt(world, T, { overrides: { robot: 'running' } }).chunk.data;
    const b = eegWindowAt(world, T, { overrides: { robot: 'paused' } }).chunk.data;
    expect(Array.from(a)).toEqual(Array.from(b));
  });

  it('is deterministic per seed and differs between seeds', () => {
    const a = eegWindowAt(world, T).chunk.data;
    expect(Array.from(eegWindowAt(new SimWorld({ seed: 1000 }), T).chunk.data)).toEqual(Array.from(a));
    expect(Array.from(eegWindowAt(new SimWorld({ seed: 1001 }), T).chunk.data)).not.toEqual(Array.from(a));
  });
});
