import { describe, expect, it } from 'vitest';
import { ClockSync } from '../../../src/align/clock-sync/clock-sync.ts';
import { envelopeFit, lowerHull } from '../../../src/align/clock-sync/lower-envelope.ts';
import { ClockDomain, defaultClock } from '../../../devices/sim/clock-domain.ts';
import { SENSORS, type SimSensor } from '../../../devices/sim/sensors.ts';
import { quantile } from './usb-restamp.ts';

/**
 * Ground truth from the simulator's clock domains (devices/sim/clock-domain.ts): per device a
 * seeded offset and drift (±40 ppm), a fixed latency and one-sided exponential jitter, frame
 * dropouts — every frame's true capture time is known. A host clock step and a device clock reset
 * are injected on top.
 */

interface Truth {
  deviceT: bigint[];
  arrival: bigint[];
  truth: bigint[];
}

function stream(sensor: SimSensor, seconds: number, fault?: { stepAtS?: number; stepNs?: bigint; resetAtS?: number }): { d: ClockDomain; s: Truth } {
  const spec = SENSORS[sensor];
  const d = new ClockDomain({ seed: 11, deviceKey: spec.deviceKey, rateHz: spec.gridHz, frameSamples: spec.frameSamples, durationNs: spec.durationNs, clock: defaultClock(11, spec.deviceKey, spec.transport), dropout: 0.01 });
  const s: Truth = { deviceT: [], arrival: [], truth: [] };
  const frames = Math.floor((seconds * spec.gridHz) / spec.frameSamples);
  const t0 = d.captureTime(0);
  for (let k = 0; k < frames; k++) {
    if (d.dropped(k)) continue;
    const sinceStart = Number(d.captureTime(k) - t0) / 1e9;
    const stepped = fault?.stepAtS !== undefined && sinceStart >= fault.stepAtS ? (fault.stepNs ?? 0n) : 0n;
    // A device reset: the device clock restarts from 0 at resetAtS.
    const resetAt = fault?.resetAtS !== undefined ? t0 + BigInt(fault.resetAtS * 1e9) : undefined;
    const dev = resetAt !== undefined && d.captureTime(k) >= resetAt ? d.deviceTime(k) - d.deviceTime(d.frameAtOrBefore(resetAt)) : d.deviceTime(k);
    s.deviceT.push(dev);
    s.arrival.push(d.receivedAt(k) + stepped);
    s.truth.push(d.captureTime(k) + stepped);
  }
  return { d, s };
}

interface Errors {
  dejitterP99Ms: number;
  offsetMaxMs: number;
  driftMaxPpm: number;
  events: ReturnType<ClockSync['observe']>['event'][];
}

/**
 * Online pass. Offset and drift errors are taken where the estimate reports `converged`, except
 * between a discontinuity and its detection (the estimate there is, knowingly, the old one).
 */
function run(sync: ClockSync, s: Truth, trueDriftPpm: number): Errors {
  const dejitter: number[] = [];
  const offset: (number | undefined)[] = [];
  const drift: (number | undefined)[] = [];
  const events: Errors['events'] = [];
  for (let i = 0; i < s.deviceT.length; i++) {
    const o = sync.observe(s.deviceT[i] as bigint, s.arrival[i] as bigint);
    if (o.event) events.push(o.event);
    dejitter.push(Math.abs(Number(o.t - (s.truth[i] as bigint))) / 1e6);
    const e = sync.estimate();
    offset.push(e.converged ? Math.abs(Number(e.offsetNs - ((s.truth[i] as bigint) - (s.deviceT[i] as bigint)))) / 1e6 : undefined);
    drift.push(e.converged ? Math.abs(e.driftPpm - trueDriftPpm) : undefined);
  }
  const blind = (i: number): boolean => events.some((e) => e !== undefined && i >= e.index && i < e.detectedIndex);
  const keep = (xs: (number | undefined)[]): number[] => xs.flatMap((x, i) => (x === undefined || blind(i) ? [] : [x]));
  return { dejitterP99Ms: quantile(dejitter, 0.99), offsetMaxMs: Math.max(...keep(offset)), driftMaxPpm: Math.max(...keep(drift)), events };
}

describe('ClockSync on the simulator clock domains (known true capture times)', () => {
  for (const sensor of ['camera', 'depth', 'lidar', 'eeg'] as const) {
    it(`${sensor}: dejittered within 0.5 ms (p99), offset within 0.2 ms and drift within 10 ppm once converged`, () => {
      const { d, s } = stream(sensor, 120);
      const e = run(new ClockSync({ latencyNs: Number(d.nominalLatencyNs()) }), s, d.o.clock.driftPpm);
      expect(e.events).toEqual([]);
      expect(e.dejitterP99Ms).toBeLessThan(0.5);
      expect(e.offsetMaxMs).toBeLessThan(0.2);
      expect(e.driftMaxPpm).toBeLessThan(10);
    });
  }

  it('detects a host clock step forward within 1 s and re-converges to the new offset', () => {
    const { d, s } = stream('camera', 90, { stepAtS: 40, stepNs: 180_000_000n });
    const sync = new ClockSync({ latencyNs: Number(d.nominalLatencyNs()) });
    const e = run(sync, s, d.o.clock.driftPpm);
    expect(e.events).toHaveLength(1);
    const ev = e.events[0];
    expect(ev?.kind).toBe('jump');
    expect(Number(ev?.stepNs) / 1e6).toBeCloseTo(180, 0);
    expect(Number((ev?.detectedArrivalNs ?? 0n) - (ev?.arrivalNs ?? 0n)) / 1e9).toBeLessThan(1);
    // The first frame after the step is where the new segment starts.
    expect(s.truth[ev?.index ?? 0]! - s.truth[0]!).toBeGreaterThanOrEqual(40_000_000_000n);
    expect(s.truth[(ev?.index ?? 1) - 1]! - s.truth[0]!).toBeLessThan(40_000_000_000n);
    expect(e.offsetMaxMs).toBeLessThan(0.2); // the drift from before the step is kept: converged again at once
    expect(e.dejitterP99Ms).toBeLessThan(0.5);
  });

  it('detects a host clock step back at once, and a device clock reset at once', () => {
    const back = stream('eeg', 60, { stepAtS: 30, stepNs: -250_000_000n });
    const b = run(new ClockSync({ latencyNs: Number(back.d.nominalLatencyNs()) }), back.s, back.d.o.clock.driftPpm);
    expect(b.events.map((x) => x?.kind)).toEqual(['jump']);
    expect((b.events[0]?.detectedIndex ?? 0) - (b.events[0]?.index ?? 0)).toBeLessThanOrEqual(1);
    const reset = stream('lidar', 60, { resetAtS: 25 });
    const r = run(new ClockSync({ latencyNs: Number(reset.d.nominalLatencyNs()) }), reset.s, reset.d.o.clock.driftPpm);
    expect(r.events.map((x) => [x?.kind, (x?.detectedIndex ?? 0) - (x?.index ?? 0)])).toEqual([['reset', 0]]);
    expect(r.offsetMaxMs).toBeLessThan(0.2);
  });

  it('reports uncertainty that shrinks as it converges', () => {
    const { d, s } = stream('depth', 30);
    const sync = new ClockSync({ latencyNs: Number(d.nominalLatencyNs()) });
    const u: number[] = [];
    for (let i = 0; i < s.deviceT.length; i++) {
      sync.observe(s.deviceT[i] as bigint, s.arrival[i] as bigint);
      if (i === 10 || i === s.deviceT.length - 1) u.push(sync.estimate().uncertaintyNs);
    }
    expect(u[1]).toBeLessThan(u[0] as number);
    expect(u[1]).toBeLessThan(0.5e6);
  });
});

describe('lower envelope', () => {
  it('the hull keeps only the points that turn left, and the fit lies under every point', () => {
    const xs = [0, 1, 2, 3, 4, 5];
    const ys = [0, 5, 0.8, 4, 2, 3];
    expect(lowerHull(xs, ys)).toEqual([0, 2, 4, 5]);
    const line = envelopeFit(xs, ys);
    for (let i = 0; i < xs.length; i++) expect((ys[i] as number) - ((line?.a ?? 0) + (line?.b ?? 0) * (xs[i] as number))).toBeGreaterThanOrEqual(-1e-9);
  });
});
