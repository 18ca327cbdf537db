import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SystemClock, silentLogger, type AnySample, type DeviceEvent } from '../../../src/core/index.ts';
import { readPcap } from '../../formats/pcap.ts';
import type { VelodyneAdapter } from './adapter.ts';
import { velodyneDriver } from './driver.ts';

// The real VLP-16 packets (test/fixtures/velodyne/SOURCE.md), replayed over loopback UDP. Looping
// the 84-packet capture needs the device timestamps (bytes 1200–1203) advanced per loop, so the
// sensor clock keeps moving forward as a real one does.
const packets = readPcap(readFileSync(new URL('../../../test/fixtures/velodyne/velodyne-vlp16__rust-lidar-utils-2014.pcap', import.meta.url))).datagrams.filter((d) => d.dstPort === 2368).map((d) => d.payload);
const LOOP_US = 84 * 1327;

function sender(port: () => number) {
  const sock = createSocket('udp4');
  let i = 0;
  let timer: NodeJS.Timeout | undefined;
  const sendBurst = (): void => {
    for (let k = 0; k < 8; k++, i++) {
      const p = new Uint8Array(packets[i % 84]!);
      const dv = new DataView(p.buffer);
      dv.setUint32(1200, (dv.getUint32(1200, true) + Math.floor(i / 84) * LOOP_US) % 3_600_000_000, true);
      sock.send(p, port(), '127.0.0.1');
    }
  };
  return {
    start: () => (timer = setInterval(sendBurst, 10)), // 800 packets/s ≈ a VLP-16's 754
    stop: () => clearInterval(timer),
    close: () => (clearInterval(timer), sock.close()),
  };
}

const waitUntil = async (cond: () => boolean, ms: number): Promise<boolean> => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  return cond();
};

describe('lidar/velodyne over loopback UDP (real packets)', () => {
  it('delivers sweeps; UDP silence → disconnected and no samples; packets again → connected, resumes within 2 s', async () => {
    const events: DeviceEvent[] = [];
    const got: { s: AnySample; at: number }[] = [];
    const options = velodyneDriver.parseOptions({ port: 0, positionPort: 0, silenceMs: 300 }, 'sources.lidar0');
    const adapter = (await velodyneDriver.open(options, { sourceId: 'lidar0', clock: new SystemClock(), log: silentLogger, onEvent: (e) => events.push(e) })) as VelodyneAdapter;
    const pump = (async () => {
      for await (const s of adapter.samples()) got.push({ s, at: Date.now() });
    })();
    expect(await waitUntil(() => adapter.boundPort !== 0, 1000)).toBe(true);
    const tx = sender(() => adapter.boundPort);
    try {
      tx.start();
      expect(await waitUntil(() => got.length >= 3, 3000)).toBe(true);
      const first = got[0]!.s;
      expect(first.kind).toBe('cloud');
      if (first.kind === 'cloud') expect(first.payload.count).toBeGreaterThan(15_000);
      expect(first.deviceT).toBeGreaterThan(0n);
      expect(first.t).toBeLessThanOrEqual(first.receivedAt);

      tx.stop();
      const stoppedAt = Date.now();
      expect(await waitUntil(() => events.some((e) => e.type === 'disconnected'), 2000)).toBe(true);
      const n = got.length;
      await new Promise((r) => setTimeout(r, 600));
      expect(got.filter((g) => g.at > stoppedAt + 100)).toHaveLength(0);
      expect(got.length).toBe(n);

      const resumedAt = Date.now();
      tx.start();
      expect(await waitUntil(() => got.some((g) => g.at > resumedAt), 2000)).toBe(true);
      expect(got.find((g) => g.at > resumedAt)!.at - resumedAt).toBeLessThan(2000);
      expect(events.filter((e) => e.type === 'connected').length).toBeGreaterThanOrEqual(2);
      expect(adapter.stats()).toMatchObject({ badPackets: 0, reconnects: 1 });
    } finally {
      tx.close();
      await adapter.close();
      await pump;
    }
  });

  it('output: scan → one ring as a LaserScan (360 bins, horizontal distances)', async () => {
    const options = velodyneDriver.parseOptions({ port: 0, positionPort: 0, output: 'scan' }, 'sources.lidar0');
    expect(velodyneDriver.describe(options)).toMatchObject({ kind: 'scan', modality: 'lidar', nominalHz: 10 });
    const adapter = (await velodyneDriver.open(options, { sourceId: 'lidar0', clock: new SystemClock(), log: silentLogger })) as VelodyneAdapter;
    const got: AnySample[] = [];
    const pump = (async () => {
      for await (const s of adapter.samples()) got.push(s);
    })();
    await waitUntil(() => adapter.boundPort !== 0, 1000);
    const tx = sender(() => adapter.boundPort);
    try {
      tx.start();
      expect(await waitUntil(() => got.length >= 1, 3000)).toBe(true);
      const s = got[0]!;
      expect(s.kind).toBe('scan');
      if (s.kind === 'scan') {
        expect(s.payload.ranges).toHaveLength(360);
        expect(s.payload.ranges.filter((r) => r > 0).length).toBeGreaterThan(100);
      }
    } finally {
      tx.close();
      await adapter.close();
      await pump;
    }
  });

  it('rejects bad options by path', () => {
    expect(() => velodyneDriver.parseOptions({ port: 70000 }, 'sources.l')).toThrow(/sources\.l\.port/);
    expect(() => velodyneDriver.parseOptions({ model: 'VLP-32' }, 'sources.l')).toThrow(/sources\.l\.model/);
  });
});
