import { describe, expect, it } from 'vitest';
import { ManualClock, silentLogger, type AnySample } from '../../src/core/index.ts';
import { simCellDriver } from './driver.ts';
import { latestFrame, observeAt } from './observe.ts';
import { T_REF_NS } from './sim-time.ts';
import { SimWorld } from './world.ts';

const S = 1_000_000_000n;

describe('observation API (dataset export and evaluation)', () => {
  it('renders exactly the frames the driver streams (same code, same clock domain)', async () => {
    const clockOpts = { jitterMs: 0, driftPpm: 25, offsetMs: 3 };
    for (const sensor of ['camera', 'lidar'] as const) {
      const clock = new ManualClock();
      const adapter = await simCellDriver.open(simCellDriver.parseOptions({ sensor, seed: 21, clock: clockOpts }, 's'), { sourceId: 's', clock, log: silentLogger });
      const got: AnySample[] = [];
      const done = (async () => {
        for await (const s of adapter.samples()) got.push(s);
      })();
      await clock.advance(S / 2n);
      await adapter.close();
      await done;
      const world = new SimWorld({ seed: 21 });
      for (const s of got.slice(0, 3)) {
        // With zero jitter, t is the capture instant, so the newest frame at t is this very frame.
        const f = latestFrame(world, sensor, s.t, { device: { clock: clockOpts } });
        expect(f.t).toBe(s.t);
        expect(f.deviceT).toBe(s.deviceT);
        const a = s.kind === 'image' ? s.payload.data : s.kind === 'scan' ? s.payload.ranges : new Uint8Array(0);
        const b = 'data' in f.payload ? f.payload.data : f.payload.ranges;
        expect(Buffer.from(b.buffer, b.byteOffset, b.byteLength).equals(Buffer.from(a.buffer, a.byteOffset, a.byteLength))).toBe(true);
      }
    }
  });

  it('observes the newest frame at or before t per source and the 250-sample EEG window ending at t', () => {
    const world = new SimWorld({ seed: 3 });
    const t = T_REF_NS + 42n * S + 12_345_678n;
    const o = observeAt(world, t);
    for (const sensor of ['camera', 'depth', 'lidar'] as const) {
      const f = o[sensor];
      const clock = world.clock(sensor);
      expect(f.t <= t).toBe(true);
      expect(clock.captureTime(f.index + 1) > t).toBe(true);
    }
    expect(o.eeg.chunk.data.length).toBe(8 * 250);
    expect(o.eeg.tLast <= t).toBe(true);
    expect(world.clock('eeg').gridTime(world.clock('eeg').gridIndexAtOrBefore(t) + 1) > t).toBe(true);
    expect(Number(o.eeg.tLast - o.eeg.t)).toBeCloseTo(249 * 4e6, -4);
  });
});
