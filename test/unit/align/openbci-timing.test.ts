import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CounterClock } from '../../../src/align/clock-sync/counter-clock.ts';
import { analyzeTiming } from '../../../src/align/timing/analyze.ts';
import { parseOpenBciGuiText, type OpenBciGuiRecording } from '../../../devices/eeg/openbci-gui/parser.ts';
import { timingStreamOf } from '../../../devices/eeg/openbci-gui/timing-reader.ts';
import { quantile, restampUsb, type Restamped } from './usb-restamp.ts';

const FIXTURE = new URL('../../fixtures/openbci/openbci-cyton__gui-v6-blinks-jawclench-alpha.txt', import.meta.url);
const T0 = 1_700_000_000_000_000_000n;
const PERIOD_NS = 4e6;
let rec: OpenBciGuiRecording;

beforeAll(() => {
  rec = parseOpenBciGuiText(readFileSync(FIXTURE, 'utf8'));
});

/**
 * The real recording's samples (its 8-bit counter column), re-stamped as a Cyton dongle would
 * deliver them (usb-restamp.ts): a known drift of +1180 ppm (a real Cyton runs ~1300 ppm fast),
 * bursty one-sided USB delays, 304 lost samples in three gaps (one longer than a counter cycle),
 * and a host clock step of +150 ms at 50 s.
 */
describe('OpenBCI recording re-stamped with known faults (ground truth)', () => {
  const DRIFT = 1180;
  const DROPS = [{ at: 5000, count: 3 }, { at: 9000, count: 300 }, { at: 15000, count: 1 }];
  let r: Restamped;
  beforeAll(() => {
    r = restampUsb(rec.sampleIndex, { seed: 7, rateHz: 250, driftPpm: DRIFT, t0: T0, fixedLatencyNs: 1.5e6, drops: DROPS, hostStep: { atS: 50, stepNs: 150e6 } });
  });

  it('counter: every sample number recovered across wraps; 3 gaps, 304 dropped (a 300-sample loss is not a wrap)', () => {
    const a = analyzeTiming({ sourceId: 'eeg', nominalHz: 250, counter: { values: r.counter, bits: 8 }, arrivalNs: r.arrival });
    expect(Array.from(a.index)).toEqual(r.n);
    expect(a.report).toMatchObject({ gaps: 3, droppedSamples: 304 });
  });

  it('online ClockSync: offset within 0.2 ms and drift within 10 ppm once converged; the step found within 1 s', () => {
    const clock = new CounterClock({ bits: 8, nominalHz: 250, sync: { latencyNs: r.constantNs } });
    const samples: { i: number; offset: number; drift: number; dejitter: number }[] = [];
    for (let i = 0; i < r.n.length; i++) {
      const o = clock.observe(r.counter[i] as number, r.arrival[i] as bigint);
      const e = clock.sync.estimate();
      if (!e.converged) continue;
      const trueOffset = (r.truth[i] as bigint) - BigInt(Math.round((r.n[i] as number) * PERIOD_NS));
      samples.push({ i, offset: Math.abs(Number(e.offsetNs - trueOffset)) / 1e6, drift: Math.abs(e.driftPpm - DRIFT), dejitter: Math.abs(Number(o.t - (r.truth[i] as bigint))) / 1e6 });
    }
    const events = clock.sync.events;
    // Between the step and its detection the estimate is, knowingly, the old one: not judged.
    const judged = samples.filter((x) => !events.some((e) => x.i >= e.index && x.i < e.detectedIndex));
    const offset = judged.map((x) => x.offset);
    const drift = judged.map((x) => x.drift);
    const dejitter = judged.map((x) => x.dejitter);
    expect(events).toHaveLength(1);
    const step = events[0];
    expect(step?.kind).toBe('jump');
    // It starts at the first sample that *arrived* after the step (one taken just before it may).
    const firstStepped = r.arrival.findIndex((at, i) => at - (r.truth[i] as bigint) > 100_000_000n);
    expect(step?.index).toBe(firstStepped);
    expect(r.truth[firstStepped]! - T0).toBeGreaterThan(49_900_000_000n);
    expect(Number((step?.detectedArrivalNs ?? 0n) - (step?.arrivalNs ?? 0n)) / 1e9).toBeLessThan(1);
    expect(Math.max(...offset)).toBeLessThan(0.2);
    expect(Math.max(...drift)).toBeLessThan(10);
    expect(quantile(dejitter, 0.99)).toBeLessThan(0.5);
  });

  it('sensorium timing analysis: dejittered stamps within 0.5 ms (p99) of the truth, drift within 10 ppm, one reset', () => {
    const a = analyzeTiming({ sourceId: 'eeg', nominalHz: 250, counter: { values: r.counter, bits: 8 }, arrivalNs: r.arrival }, { sync: { latencyNs: r.constantNs } });
    const err = r.truth.map((t, i) => Math.abs(Number((a.dejitteredNs?.[i] as bigint) - t)) / 1e6);
    expect(quantile(err, 0.99)).toBeLessThan(0.5);
    expect(Math.abs((a.report.driftPpm ?? 0) - DRIFT)).toBeLessThan(10);
    expect(a.report.resets).toBe(1);
    // Raw stamps are the bursty USB arrivals: jitter of milliseconds before, well under one after.
    expect(a.report.rawJitterP99Ms).toBeGreaterThan(4);
    expect(a.report.dejitteredJitterP99Ms).toBeLessThan(0.5);
  });

  it('a host clock step back and a board restart (counter back to 0) are both found at once', () => {
    // The board restarts 0.5 s after sample 12000: its counter starts again at 0.
    const counter = Array.from(rec.sampleIndex, (c, n) => (n >= 12125 ? (n - 12125) % 256 : c));
    const b = restampUsb(counter, { seed: 3, rateHz: 250, driftPpm: -700, t0: T0, fixedLatencyNs: 1.5e6, drops: [{ at: 12000, count: 125 }], hostStep: { atS: 30, stepNs: -400e6 } });
    const a = analyzeTiming({ sourceId: 'eeg', nominalHz: 250, counter: { values: b.counter, bits: 8 }, arrivalNs: b.arrival }, { sync: { latencyNs: b.constantNs } });
    expect(a.report.resets).toBe(2);
    for (const e of a.events) expect(Number(e.detectedArrivalNs - e.arrivalNs) / 1e9).toBeLessThan(1);
    const err = b.truth.map((t, i) => Math.abs(Number((a.dejitteredNs?.[i] as bigint) - t)) / 1e6);
    expect(quantile(err, 0.99)).toBeLessThan(0.5);
  });
});

describe('the untouched real recording (OpenBCI GUI v6, 22490 samples)', () => {
  it('effective rate ≈ 250.32 Hz, drift ≈ +1300 ppm, raw stamp jitter of milliseconds, no false gaps or resets', () => {
    const a = analyzeTiming(timingStreamOf(rec, 'eeg'));
    const r = a.report;
    expect(r.samples).toBe(22490);
    expect(r.effectiveHz).toBeGreaterThan(250.25);
    expect(r.effectiveHz).toBeLessThan(250.4);
    expect(r.driftPpm).toBeGreaterThan(1000);
    expect(r.driftPpm).toBeLessThan(1600);
    // The GUI stamps rows per USB read in whole ms: a few ms above the fastest delivery, ~10 ms at p99.
    expect(r.rawJitterP50Ms).toBeGreaterThan(2);
    expect(r.rawJitterP99Ms).toBeGreaterThan(5);
    expect(r.rawJitterP99Ms).toBeLessThan(20);
    expect(r.dejitteredJitterP99Ms).toBeLessThan(r.rawJitterP99Ms as number);
    expect(r).toMatchObject({ gaps: 0, droppedSamples: 0, resets: 0 });
    // The rate from the clock line agrees with the plain count of samples over the stamped time.
    const host = rec.hostMs as Float64Array;
    const plain = (rec.rows - 1) / (((host[rec.rows - 1] as number) - (host[0] as number)) / 1e3);
    expect(Math.abs((r.effectiveHz as number) - plain)).toBeLessThan(0.02);
  });

  it('the online CounterClock sees no reset or jump in it, and settles on the same drift', () => {
    const clock = new CounterClock({ bits: 8, nominalHz: 250 });
    const host = rec.hostMs as Float64Array;
    for (let i = 0; i < rec.rows; i++) clock.observe(rec.sampleIndex[i] as number, BigInt(host[i] as number) * 1_000_000n);
    expect(clock.sync.events).toEqual([]);
    expect(clock.counterStats()).toMatchObject({ gaps: 0, dropped: 0, resets: 0 });
    expect(clock.sync.estimate().driftPpm).toBeGreaterThan(1000);
    expect(clock.sync.estimate().driftPpm).toBeLessThan(1600);
  });
});
