import { describe, expect, it } from 'vitest';
import { ManualClock, silentLogger, type AnySample, type DeviceEvent, type Sample } from '../../../src/core/index.ts';
import { MockSerialPorts } from '../../transport/serial/serial-transport.ts';
import { createRplidarDriver } from './driver.ts';
import { FakeRplidar } from './fake-device.ts';
import { CMD } from './protocol.ts';

const MS = 1_000_000n;
let n = 0;
async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

/** A room: a wall 1.5 m ahead (±30° of 0°), everything else at 3 m, no return behind (170–190°). */
const room = (a: number): number => (a > 170 && a < 190 ? 0 : a < 30 || a > 330 ? 1500 : 3000);

async function spin(clock: ManualClock, lidar: FakeRplidar, revolutions: number): Promise<void> {
  for (let i = 0; i < revolutions * 10; i++) {
    lidar.rotate(36);
    await settle(3);
    await clock.advance(18n * MS); // 5.5 Hz: one revolution ≈ 180 ms
  }
}

function setup(mode: 'standard' | 'express' = 'standard') {
  const clock = new ManualClock();
  const ports = new MockSerialPorts();
  const path = `/dev/ttyMOCKrplidar${n++}`;
  const lidar = new FakeRplidar(ports, path, room);
  const driver = createRplidarDriver(ports);
  const events: DeviceEvent[] = [];
  const options = driver.parseOptions({ path, mode }, 'sources.lidar0');
  return { clock, lidar, driver, options, events, ctx: { sourceId: 'lidar0', clock, log: silentLogger, onEvent: (e: DeviceEvent) => events.push(e) } };
}

describe('lidar/rplidar over a mock serial port', () => {
  for (const mode of ['standard', 'express'] as const) {
    it(`${mode}: STOP, HEALTH, INFO, motor on (DTR low), scan → one LaserScan per revolution`, async () => {
      const { clock, lidar, driver, options, ctx } = setup(mode);
      const adapter = await driver.open(options, ctx);
      await clock.advance(50n * MS); // the 20 ms pause after STOP runs on the manual clock
      await settle();
      expect(lidar.received).toEqual([CMD.STOP, CMD.GET_HEALTH, CMD.GET_INFO, mode === 'standard' ? CMD.SCAN : CMD.EXPRESS_SCAN]);
      expect(lidar.spinning).toBe(true);
      const got: AnySample[] = [];
      const pump = (async () => {
        for await (const s of adapter.samples()) got.push(s);
      })();
      await spin(clock, lidar, 3.5);
      await adapter.close();
      await pump;
      expect(lidar.device.lines.dtr).toBe(true); // motor stopped on close
      expect(got.length).toBeGreaterThanOrEqual(2);
      const scan = (got[1] as Sample<'scan'>).payload;
      expect(scan.ranges).toHaveLength(360);
      // 0° ahead: 1.5 m; 90° clockwise (the right) = bin 270: 3 m; 180° behind: no return.
      expect(scan.ranges[0]).toBeCloseTo(1.5, 2);
      expect(scan.ranges[270]).toBeCloseTo(3, 2);
      expect(scan.ranges[180]).toBe(0);
      expect(adapter.stats().badBytes).toBe(0);
    });
  }

  it('unplug → disconnected, silence; replug → handshake again, scans resume within 2 s', async () => {
    const { clock, lidar, driver, options, ctx, events } = setup();
    const adapter = await driver.open(options, ctx);
    await clock.advance(50n * MS);
    await settle();
    const got: { at: bigint }[] = [];
    const pump = (async () => {
      for await (const s of adapter.samples()) got.push({ at: s.receivedAt });
    })();
    await spin(clock, lidar, 2);
    lidar.device.unplug();
    await settle();
    expect(events.at(-1)).toMatchObject({ type: 'disconnected' });
    const count = got.length;
    await spin(clock, lidar, 5);
    expect(got.length).toBe(count);
    const replugAt = clock.now();
    lidar.device.replug();
    for (let i = 0; i < 40 && !got.some((g) => g.at > replugAt); i++) await spin(clock, lidar, 0.5);
    const resumed = got.find((g) => g.at > replugAt);
    expect(resumed).toBeDefined();
    expect(Number(resumed!.at - replugAt) / 1e6).toBeLessThan(2000);
    expect(adapter.stats().reconnects).toBe(1);
    await adapter.close();
    await pump;
  });
});
