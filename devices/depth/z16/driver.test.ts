import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock, SystemClock, silentLogger, type AnySample, type DeviceEvent, type Sample } from '../../../src/core/index.ts';
import type { Z16Adapter } from './adapter.ts';
import { encodeZ16Frame } from './decoder.ts';
import { z16DepthDriver } from './driver.ts';

const dir = mkdtempSync(join(tmpdir(), 'sensorium-z16-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const frame = (k: number) => ({ width: 8, height: 4, unitM: 0.001, data: Uint16Array.from({ length: 32 }, (_, i) => 1000 + k * 10 + i) });
const waitUntil = async (cond: () => boolean, ms: number): Promise<boolean> => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  return cond();
};

// A stand-in sidecar: plain Node writing DZ16 frames (8×4, device clock in µs) to stdout at 30 fps.
const SIDECAR = `
let k = 0;
setInterval(() => {
  const px = Buffer.alloc(64);
  for (let i = 0; i < 32; i++) px.writeUInt16LE(1000 + (k % 100) * 10 + i, 2 * i);
  const h = Buffer.from(JSON.stringify({ w: 8, h: 4, depth_scale: 0.001, seq: k, device_ts_us: 1e6 + k * 33333 }));
  const len = Buffer.alloc(4); len.writeUInt32LE(h.length);
  process.stdout.write(Buffer.concat([Buffer.from('DZ16'), len, h, px]));
  k++;
}, 33);`;

function open(raw: Record<string, unknown>, clock = new SystemClock() as SystemClock | ManualClock) {
  const events: DeviceEvent[] = [];
  const got: { s: Sample<'depth'>; at: number }[] = [];
  const o = z16DepthDriver.parseOptions(raw, 'sources.depth0');
  return z16DepthDriver.open(o, { sourceId: 'depth0', clock, log: silentLogger, onEvent: (e) => events.push(e) }).then((a) => {
    const pump = (async () => {
      for await (const s of a.samples() as AsyncIterable<AnySample>) got.push({ s: s as Sample<'depth'>, at: Date.now() });
    })();
    return { adapter: a as Z16Adapter, got, pump, events };
  });
}

describe('depth/z16', () => {
  it('sidecar: frames with the camera clock; sidecar killed → disconnected → restarted, frames again within 2 s', async () => {
    const { adapter, got, pump, events } = await open({ command: [process.execPath, '-e', SIDECAR] });
    try {
      expect(await waitUntil(() => got.length >= 61, 8000)).toBe(true);
      const f = got[0]!.s;
      expect(f.payload).toMatchObject({ width: 8, height: 4, unitM: 0.001 });
      expect(f.payload.data[0]).toBe(1000 + (Number(f.deviceT! / 1000n - 1_000_000n) / 33333) * 10);
      expect(Number(got[1]!.s.deviceT! - got[0]!.s.deviceT!)).toBe(33_333_000);
      // t follows the camera clock: consecutive frames are 33.333 ms apart exactly, except when a
      // new lowest arrival delay moves the mapping (records get rare as frames accumulate) — not
      // the pipe's arrival jitter, which is milliseconds here (more on a loaded machine).
      const dev = (xs: number[]) => xs.map((d) => Math.abs(d - 33_333_000)).sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
      const tSteps = got.slice(41, 61).map((g, i) => Number(g.s.t - got[40 + i]!.s.t));
      const arrivalSteps = got.slice(41, 61).map((g, i) => Number(g.s.receivedAt - got[40 + i]!.s.receivedAt));
      expect(dev(tSteps)).toBeLessThan(1000);
      expect(dev(tSteps)).toBeLessThan(dev(arrivalSteps));
      const pid = adapter.pid!;
      const killedAt = Date.now();
      process.kill(pid, 'SIGKILL');
      expect(await waitUntil(() => events.some((e) => e.type === 'disconnected'), 2000)).toBe(true);
      expect(await waitUntil(() => got.some((g) => g.at > killedAt + 50), 2500)).toBe(true);
      expect(got.find((g) => g.at > killedAt + 50)!.at - killedAt).toBeLessThan(2000);
    } finally {
      await adapter.close();
      await pump;
    }
  });

  it('socket: the server closing is a lost link; it reconnects when the server is back', async () => {
    const path = join(dir, 'z16.sock');
    let conn: Socket | undefined;
    let k = 0;
    const server = createServer((s) => (conn = s));
    await new Promise<void>((r) => server.listen(path, r));
    const timer = setInterval(() => conn?.write(encodeZ16Frame(frame(k++ % 50), { seq: k })), 33);
    const { adapter, got, pump, events } = await open({ socket: path });
    try {
      expect(await waitUntil(() => got.length >= 2, 3000)).toBe(true);
      conn!.destroy();
      conn = undefined;
      expect(await waitUntil(() => events.some((e) => e.type === 'disconnected'), 2000)).toBe(true);
      const droppedAt = Date.now();
      expect(await waitUntil(() => got.some((g) => g.at > droppedAt + 20), 2500)).toBe(true);
      expect(adapter.stats().reconnects).toBe(1);
    } finally {
      clearInterval(timer);
      await adapter.close();
      await pump;
      server.close();
    }
  });

  it('file: DZ16 frames played at fps on the manual clock; raw Z16 frames with the configured size; the source ends', async () => {
    const dz = join(dir, 'rec.dz16');
    writeFileSync(dz, Buffer.concat([0, 1, 2].map((k) => Buffer.from(encodeZ16Frame(frame(k))))));
    const clock = new ManualClock();
    const { got, pump } = await open({ file: dz, fps: 10 }, clock);
    await clock.advance(250_000_000n);
    await pump;
    expect(got.map((g) => g.s.t - got[0]!.s.t)).toEqual([0n, 100_000_000n, 200_000_000n]);
    expect(got[2]!.s.payload.data[0]).toBe(1020);

    const raw = join(dir, 'rec.z16');
    writeFileSync(raw, Buffer.concat([0, 1].map((k) => Buffer.from(frame(k).data.buffer))));
    const r = await open({ file: raw, framing: 'raw', width: 8, height: 4, fps: 30 }, clock);
    await clock.advance(100_000_000n);
    await r.pump;
    expect(r.got.map((g) => g.s.payload.data[31])).toEqual([1031, 1041]);
  });

  it('options: exactly one input; raw framing only for files', () => {
    expect(() => z16DepthDriver.parseOptions({}, 's.d')).toThrow(/exactly one of command, socket, file/);
    expect(() => z16DepthDriver.parseOptions({ socket: '/x', framing: 'raw' }, 's.d')).toThrow(/s\.d\.framing/);
  });
});
