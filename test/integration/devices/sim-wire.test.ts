import { describe, expect, it } from 'vitest';
import { ManualClock, silentLogger, type AnySample, type DeviceEvent, type Sample } from '../../../src/core/index.ts';
import { simCellDriver } from '../../../devices/sim/driver.ts';
import { uvPerCount } from '../../../devices/eeg/openbci-cyton/scale.ts';

const S = 1_000_000_000n;

/** Runs sim/cell (wire or not) on a manual clock for `seconds`, in 10 ms steps so real I/O interleaves. */
async function run(raw: Record<string, unknown>, seconds: number, events: DeviceEvent[] = []): Promise<AnySample[]> {
  const clock = new ManualClock();
  const o = simCellDriver.parseOptions(raw, 'sources.sim');
  const a = await simCellDriver.open(o, { sourceId: 'sim', clock, log: silentLogger, onEvent: (e) => events.push(e) });
  const got: AnySample[] = [];
  const pump = (async () => {
    for await (const s of a.samples()) got.push(s);
  })();
  for (let t = 0; t < seconds * 100; t++) {
    await clock.advance(S / 100n);
    await new Promise((r) => setTimeout(r, 0)); // let UDP and socket reads land between ticks
  }
  await a.close();
  await pump;
  return got;
}

describe('sim/cell wire mode: real formats through real transports into the real drivers', () => {
  it('eeg: Cyton packets over a mock serial port decode to the simulated µV within one LSB', async () => {
    const events: DeviceEvent[] = [];
    const plain = (await run({ sensor: 'eeg', seed: 7 }, 1.2)) as Sample<'eeg'>[];
    const wire = (await run({ sensor: 'eeg', seed: 7, wire: true }, 1.2, events)) as Sample<'eeg'>[];
    expect(wire.length).toBeGreaterThan(20);
    expect(events[0]).toMatchObject({ type: 'connected' }); // from the real driver's handshake
    // The wire stream starts when the driver has sent `b`; find the plain chunk it starts at.
    const first = wire[0]!.payload.data[0]!;
    const off = plain.findIndex((p) => Math.abs(p.payload.data[0]! - first) <= uvPerCount(24));
    expect(off).toBeGreaterThanOrEqual(0);
    let worst = 0;
    for (let i = 0; i + off < plain.length && i < wire.length; i++) {
      const a = plain[i + off]!.payload.data;
      const b = wire[i]!.payload.data;
      expect(b.length).toBe(a.length);
      for (let k = 0; k < a.length; k++) worst = Math.max(worst, Math.abs(a[k]! - b[k]!));
    }
    expect(worst).toBeLessThanOrEqual(uvPerCount(24));
  });

  it('lidar: the planar scan as VLP-16 packets over loopback UDP comes back as the same scan (±5 mm)', async () => {
    const plain = (await run({ sensor: 'lidar', seed: 7 }, 1.5)) as Sample<'scan'>[];
    const wire = (await run({ sensor: 'lidar', seed: 7, wire: true }, 1.5)) as Sample<'scan'>[];
    expect(wire.length).toBeGreaterThan(5);
    expect(wire[0]!.kind).toBe('scan');
    // Find the simulated scan each decoded sweep came from (the sweep is emitted one revolution later).
    let matched = 0;
    for (const w of wire) {
      const best = Math.max(...plain.map((p) => {
        let ok = 0;
        let n = 0;
        p.payload.ranges.forEach((r, i) => {
          if (r <= 0) return;
          n++;
          if (Math.abs((w.payload.ranges[i] ?? 0) - r) < 0.005) ok++;
        });
        return n ? ok / n : 0;
      }));
      if (best > 0.9) matched++;
    }
    expect(matched).toBeGreaterThanOrEqual(wire.length - 1);
  });

  it('depth: DZ16 frames over a Unix socket arrive bit-exact', async () => {
    const plain = (await run({ sensor: 'depth', seed: 7 }, 0.5)) as Sample<'depth'>[];
    const wire = (await run({ sensor: 'depth', seed: 7, wire: true }, 0.5)) as Sample<'depth'>[];
    expect(wire.length).toBeGreaterThan(3);
    const key = (d: Uint16Array): string => Buffer.from(d.buffer, d.byteOffset, d.byteLength).toString('base64');
    const plainKeys = new Set(plain.map((p) => key(p.payload.data)));
    for (const w of wire) {
      expect(w.payload).toMatchObject({ width: 640, height: 480, unitM: 0.001 });
      expect(plainKeys.has(key(w.payload.data))).toBe(true);
    }
  });

  it('camera has no wire mode (a clear config error)', () => {
    expect(() => simCellDriver.parseOptions({ sensor: 'camera', seed: 1, wire: true }, 'sources.c')).toThrow(/sources\.c\.wire: wire mode covers eeg/);
  });
});
