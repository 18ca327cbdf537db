import { describe, expect, it } from 'vitest';
import { ConfigError, ManualClock, silentLogger, type AnySample, type DeviceEvent } from '../../src/core/index.ts';
import { simCellDriver } from './driver.ts';
import type { SimSensor } from './sensors.ts';

const S = 1_000_000_000n;

async function run(raw: Record<string, unknown>, seconds: bigint, events: DeviceEvent[] = []): Promise<{ samples: AnySample[]; dropped: number; start: bigint }> {
  const clock = new ManualClock();
  const start = clock.now();
  const options = simCellDriver.parseOptions(raw, 'sources.test');
  const adapter = await simCellDriver.open(options, { sourceId: 'test', clock, log: silentLogger, onEvent: (e) => events.push(e) });
  const samples: AnySample[] = [];
  const done = (async () => {
    for await (const s of adapter.samples()) samples.push(s);
  })();
  await clock.advance(seconds * S);
  const { dropped } = adapter.stats();
  await adapter.close();
  await done;
  return { samples, dropped, start };
}

function bytes(s: AnySample): Buffer {
  const d = s.kind === 'scan' ? s.payload.ranges : s.kind === 'cloud' ? s.payload.xyz : s.payload.data;
  return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
}

describe('sim/cell driver', () => {
  it('parses options with defaults and names the bad field', () => {
    expect(simCellDriver.parseOptions({ sensor: 'eeg', seed: 7 }, 'sources.e')).toEqual({ sensor: 'eeg', seed: 7, lineHz: 50, clock: {}, dropout: 0, faults: [] });
    const bad: [unknown, RegExp][] = [
      [{ sensor: 'radar', seed: 1 }, /^sources\.x\.sensor: expected one of camera, depth, lidar, eeg/],
      [{ sensor: 'eeg', seed: -1 }, /^sources\.x\.seed:/],
      [{ sensor: 'eeg', seed: 1, lineHz: 55 }, /^sources\.x\.lineHz:/],
      [{ sensor: 'eeg', seed: 1, clock: { driftPpm: 'fast' } }, /^sources\.x\.clock\.driftPpm: expected a number/],
      [{ sensor: 'eeg', seed: 1, clock: { skew: 1 } }, /^sources\.x\.clock\.skew: unknown option/],
      [{ sensor: 'eeg', seed: 1, dropout: 1.5 }, /^sources\.x\.dropout:/],
      [{ sensor: 'eeg', seed: 1, faults: [{ at: '20s', for: 'soon' }] }, /^sources\.x\.faults\[0\]\.for:/],
      [{ sensor: 'eeg', seed: 1, colour: 'red' }, /^sources\.x\.colour: unknown option/],
      ['eeg', /^sources\.x: expected an object/],
    ];
    for (const [raw, re] of bad) {
      expect(() => simCellDriver.parseOptions(raw, 'sources.x')).toThrow(ConfigError);
      expect(() => simCellDriver.parseOptions(raw, 'sources.x')).toThrow(re);
    }
  });

  it('describes each source with its kind, rate, size and latency', () => {
    const d = (sensor: SimSensor): ReturnType<typeof simCellDriver.describe> =>
      simCellDriver.describe(simCellDriver.parseOptions({ sensor, seed: 1, clock: { latencyMs: 10 } }, 's'));
    expect(d('camera')).toMatchObject({ kind: 'image', modality: 'camera', nominalHz: 30, bytesPerSample: 921600, latencyNs: 10_000_000n });
    expect(d('depth')).toMatchObject({ kind: 'depth', modality: 'depth', nominalHz: 30, bytesPerSample: 614400 });
    expect(d('lidar')).toMatchObject({ kind: 'scan', modality: 'lidar', nominalHz: 10, latencyNs: 110_000_000n });
    expect(d('eeg')).toMatchObject({ kind: 'eeg', modality: 'eeg', nominalHz: 25, samplesPerChunk: 10, rateHz: 250, channels: 8, latencyNs: 46_000_000n });
  });

  it('lists the four simulated units', async () => {
    const { devices, problems } = await simCellDriver.list();
    expect(devices.map((d) => d.path)).toEqual(['camera', 'depth', 'lidar', 'eeg']);
    expect(devices.every((d) => d.driver === 'sim/cell')).toBe(true);
    expect(problems).toEqual([]);
  });

  it('streams at 30/30/10 Hz and 250 Hz (25 chunks of 10) on a manual clock, in the contract formats', async () => {
    const want: Record<SimSensor, number> = { camera: 30, depth: 30, lidar: 10, eeg: 25 };
    for (const sensor of ['camera', 'depth', 'lidar', 'eeg'] as const) {
      const { samples } = await run({ sensor, seed: 11 }, 3n);
      expect(samples.length).toBeGreaterThanOrEqual(3 * want[sensor] - 3);
      expect(samples.length).toBeLessThanOrEqual(3 * want[sensor]);
      const first = samples[0]!;
      const last = samples[samples.length - 1]!;
      const hz = ((samples.length - 1) * 1e9) / Number(last.t - first.t);
      expect(Math.abs(hz - want[sensor]) / want[sensor]).toBeLessThan(0.02);
      samples.forEach((s, i) => {
        expect(s.seq).toBe(first.seq + i);
        expect(s.receivedAt > s.t).toBe(true);
        expect(s.deviceT).toBeTypeOf('bigint');
      });
      if (sensor === 'eeg') {
        const chunks = samples.filter((s) => s.kind === 'eeg');
        chunks.forEach((c, i) => {
          expect(c.payload).toMatchObject({ rateHz: 250, channels: 8, firstSampleIndex: i * 10 });
          expect(c.payload.data.length).toBe(80);
        });
      }
      if (sensor === 'lidar') expect(first.kind === 'scan' && first.payload.ranges.length).toBe(360);
      if (sensor === 'camera') expect(first.kind === 'image' && first.payload.format).toBe('rgb24');
    }
  });

  it('is deterministic: same seed and start give identical bytes, another seed does not', async () => {
    for (const sensor of ['camera', 'eeg'] as const) {
      const a = await run({ sensor, seed: 5 }, 1n);
      const b = await run({ sensor, seed: 5 }, 1n);
      const c = await run({ sensor, seed: 6 }, 1n);
      expect(a.samples.length).toBe(b.samples.length);
      a.samples.forEach((s, i) => {
        expect(bytes(s).equals(bytes(b.samples[i]!))).toBe(true);
        expect(s.t).toBe(b.samples[i]!.t);
      });
      expect(bytes(a.samples[3]!).equals(bytes(c.samples[3]!))).toBe(false);
    }
  });

  it('stamps deviceT in its own clock domain: drift from deviceT vs t is the configured ppm', async () => {
    const { samples } = await run({ sensor: 'lidar', seed: 2, clock: { driftPpm: 120, jitterMs: 0 } }, 20n);
    const n = samples.length;
    const x = samples.map((s) => Number(s.t - samples[0]!.t));
    const y = samples.map((s) => Number(s.deviceT! - samples[0]!.deviceT!));
    const mx = x.reduce((a, b) => a + b, 0) / n;
    const my = y.reduce((a, b) => a + b, 0) / n;
    let sxy = 0;
    let sxx = 0;
    for (let i = 0; i < n; i++) {
      sxy += (x[i]! - mx) * (y[i]! - my);
      sxx += (x[i]! - mx) ** 2;
    }
    expect(Math.abs((sxy / sxx - 1) * 1e6 - 120)).toBeLessThan(1);
  });

  it('goes silent inside fault windows and reports disconnect/reconnect', async () => {
    const events: DeviceEvent[] = [];
    const { samples, dropped, start } = await run({ sensor: 'eeg', seed: 3, faults: [{ at: '1s', for: '1s' }] }, 3n, events);
    const inside = samples.filter((s) => s.t >= start + S + 50_000_000n && s.t < start + 2n * S - 50_000_000n);
    expect(inside).toEqual([]);
    expect(samples.some((s) => s.t > start + 2n * S + 100_000_000n)).toBe(true);
    expect(dropped).toBeGreaterThanOrEqual(24);
    expect(dropped).toBeLessThanOrEqual(26);
    expect(events.map((e) => e.type)).toEqual(['connected', 'disconnected', 'connected']);
  });

  it('drops frames at the configured rate and leaves gaps in seq', async () => {
    const { samples, dropped } = await run({ sensor: 'lidar', seed: 8, dropout: 0.3 }, 20n);
    expect(dropped / (samples.length + dropped)).toBeGreaterThan(0.18);
    expect(dropped / (samples.length + dropped)).toBeLessThan(0.42);
    const gaps = samples.slice(1).reduce((g, s, i) => g + (s.seq - samples[i]!.seq - 1), 0);
    expect(gaps).toBeGreaterThan(0);
    expect(gaps).toBeLessThanOrEqual(dropped);
  });
});
