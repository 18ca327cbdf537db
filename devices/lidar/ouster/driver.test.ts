import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SystemClock, silentLogger, type AnySample, type DeviceEvent } from '../../../src/core/index.ts';
import { readPcap } from '../../formats/pcap.ts';
import type { OusterAdapter } from './adapter.ts';
import { ousterDriver } from './driver.ts';

// The real OS-1-32 frame (test/fixtures/ouster/SOURCE.md) replayed over loopback UDP, frame_id
// advanced per loop (LEGACY: bytes 10–11 of every column header) so each loop is a new frame.
const FIX = new URL('../../../test/fixtures/ouster/', import.meta.url);
const packets = readPcap(readFileSync(new URL('ouster-os1-32-g__fw2.1.1-1024x10-legacy.pcap', FIX))).datagrams.filter((d) => d.dstPort === 7502).map((d) => d.payload);
const waitUntil = async (cond: () => boolean, ms: number): Promise<boolean> => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  return cond();
};

describe('lidar/ouster over loopback UDP (real packets)', () => {
  it('frames per frame_id; silence → disconnected; packets again → frames within 2 s', async () => {
    const events: DeviceEvent[] = [];
    const o = ousterDriver.parseOptions({ metadata: new URL('ouster-os1-32-g__fw2.1.1-1024x10-legacy.json', FIX).pathname, port: 0, imuPort: 0, silenceMs: 300 }, 'sources.os1');
    const a = (await ousterDriver.open(o, { sourceId: 'os1', clock: new SystemClock(), log: silentLogger, onEvent: (e) => events.push(e) })) as OusterAdapter;
    const got: { s: AnySample; at: number }[] = [];
    const pump = (async () => {
      for await (const s of a.samples()) got.push({ s, at: Date.now() });
    })();
    const sock = createSocket('udp4');
    let i = 0;
    let timer: NodeJS.Timeout | undefined;
    const start = (): void => {
      timer = setInterval(() => {
        for (let k = 0; k < 8; k++, i++) {
          const p = new Uint8Array(packets[i % 64]!);
          const dv = new DataView(p.buffer);
          for (let c = 0; c < 16; c++) dv.setUint16(c * 404 + 10, (638 + Math.floor(i / 64)) & 0xffff, true);
          sock.send(p, a.boundPort, '127.0.0.1');
        }
      }, 12); // ≈ 660 packets/s, an OS-1 1024x10's 640
    };
    try {
      expect(await waitUntil(() => a.boundPort !== 0, 1000)).toBe(true);
      start();
      expect(await waitUntil(() => got.length >= 2, 3000)).toBe(true);
      const f = got[1]!.s;
      expect(f.kind).toBe('cloud');
      if (f.kind === 'cloud') expect(f.payload.count).toBeGreaterThan(20_000);
      clearInterval(timer);
      const stoppedAt = Date.now();
      expect(await waitUntil(() => events.some((e) => e.type === 'disconnected'), 2000)).toBe(true);
      await new Promise((r) => setTimeout(r, 300));
      expect(got.filter((g) => g.at > stoppedAt + 150)).toHaveLength(0);
      const resumedAt = Date.now();
      start();
      expect(await waitUntil(() => got.some((g) => g.at > resumedAt), 2000)).toBe(true);
      expect(a.stats().badPackets).toBe(0);
    } finally {
      clearInterval(timer);
      sock.close();
      await a.close();
      await pump;
    }
  });
});
