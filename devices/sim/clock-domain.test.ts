import { describe, expect, it } from 'vitest';
import { ClockDomain, type ClockParams } from './clock-domain.ts';

const PERIOD_30HZ = 1e9 / 30;

function domain(clock: Partial<ClockParams>, dropout = 0): ClockDomain {
  return new ClockDomain({
    seed: 5,
    deviceKey: 0,
    rateHz: 30,
    frameSamples: 1,
    durationNs: 0n,
    clock: { offsetMs: 1234.5, driftPpm: 0, jitterMs: 0, latencyMs: 20, ...clock },
    dropout,
  });
}

/** Least-squares slope of deviceT against host time, minus 1, in ppm. */
function driftPpm(d: ClockDomain, k0: number, n: number, step: number, host: (k: number) => bigint): number {
  const xs: number[] = [];
  const ys: number[] = [];
  const bx = host(k0);
  const by = d.deviceTime(k0);
  for (let i = 0; i < n; i++) {
    const k = k0 + i * step;
    xs.push(Number(host(k) - bx));
    ys.push(Number(d.deviceTime(k) - by));
  }
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  return (sxy / sxx - 1) * 1e6;
}

describe('device clock domain', () => {
  it('counts nominal periods in device time (deviceT steps by 1/30 s, rounded to the ns)', () => {
    const d = domain({ driftPpm: 37 });
    for (let k = 1000; k < 1100; k++) {
      const step = Number(d.deviceTime(k + 1) - d.deviceTime(k));
      expect(Math.abs(step - PERIOD_30HZ)).toBeLessThan(1);
    }
  });

  it('drift measured from deviceT vs capture time equals the configured ppm (within 1 ppm)', () => {
    for (const ppm of [-45, 0, 12.5, 80]) {
      const d = domain({ driftPpm: ppm });
      const k0 = d.frameAtOrBefore(1_700_000_000_000_000_000n);
      expect(Math.abs(driftPpm(d, k0, 300, 1, (k) => d.captureTime(k)) - ppm)).toBeLessThan(1);
    }
  });

  it('drift is still recoverable from jittered arrivals over an hour (t = receivedAt − latency)', () => {
    const d = domain({ driftPpm: -23, jitterMs: 3 });
    const k0 = d.frameAtOrBefore(1_700_000_000_000_000_000n);
    const ppm = driftPpm(d, k0, 3000, 36, (k) => d.receivedAt(k) - d.nominalLatencyNs());
    expect(Math.abs(ppm - -23)).toBeLessThan(1);
  });

  it('arrives after capture + latency, in order, with one-sided jitter of the configured mean', () => {
    const d = domain({ jitterMs: 2, latencyMs: 20 });
    let prev = 0n;
    let sum = 0;
    const n = 3000;
    for (let k = 5000; k < 5000 + n; k++) {
      const r = d.receivedAt(k);
      const extra = Number(r - d.captureTime(k) - 20_000_000n);
      expect(extra).toBeGreaterThanOrEqual(0);
      expect(r > prev).toBe(true);
      prev = r;
      sum += extra;
    }
    expect(sum / n / 1e6).toBeGreaterThan(1.8);
    expect(sum / n / 1e6).toBeLessThan(2.2);
  });

  it('finds the frame at or before any instant', () => {
    const d = domain({ driftPpm: 500, offsetMs: 7 });
    for (let i = 0; i < 200; i++) {
      const t = 1_700_000_000_000_000_000n + BigInt(i) * 7_777_777n;
      const k = d.frameAtOrBefore(t);
      expect(d.captureTime(k) <= t && d.captureTime(k + 1) > t).toBe(true);
    }
  });

  it('drops the configured fraction of frames, deterministically', () => {
    const d = domain({}, 0.1);
    let drops = 0;
    for (let k = 0; k < 20000; k++) if (d.dropped(k)) drops++;
    expect(drops / 20000).toBeGreaterThan(0.09);
    expect(drops / 20000).toBeLessThan(0.11);
    expect(domain({}, 0.1).dropped(1234)).toBe(d.dropped(1234));
  });
});
