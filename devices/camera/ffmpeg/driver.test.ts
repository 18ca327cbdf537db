import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SystemClock, silentLogger, type AnySample, type DeviceEvent, type Sample } from '../../../src/core/index.ts';
import type { FfmpegCameraAdapter } from './adapter.ts';
import { ffmpegCameraDriver } from './driver.ts';

// Debian's ffmpeg (apt-get install ffmpeg); skipped where it is not installed.
const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;
const SRC = 'testsrc=size=160x120:rate=30';
const dir = mkdtempSync(join(tmpdir(), 'sensorium-ffmpeg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const waitUntil = async (cond: () => boolean, ms: number): Promise<boolean> => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  return cond();
};

function open(raw: Record<string, unknown>, events: DeviceEvent[] = []) {
  const o = ffmpegCameraDriver.parseOptions(raw, 'sources.cam0');
  const got: { s: AnySample; at: number }[] = [];
  return ffmpegCameraDriver.open(o, { sourceId: 'cam0', clock: new SystemClock(), log: silentLogger, onEvent: (e) => events.push(e) }).then((a) => {
    const pump = (async () => {
      for await (const s of a.samples()) got.push({ s, at: Date.now() });
    })();
    return { adapter: a as FfmpegCameraAdapter, got, pump };
  });
}

describe.skipIf(!hasFfmpeg)('camera/ffmpeg with a real ffmpeg', () => {
  it('rgb24: frames are byte-identical to ffmpeg writing the same source to a file; deviceT steps 1/30 s', async () => {
    const ref = execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', SRC, '-frames:v', '3', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1']);
    const { adapter, got, pump } = await open({ input: SRC, inputKind: 'lavfi', width: 160, height: 120, fps: 30, deviceClock: true });
    expect(await waitUntil(() => got.length >= 3, 5000)).toBe(true);
    await adapter.close();
    await pump;
    const frames = got.map((g) => g.s as Sample<'image'>);
    for (let i = 0; i < 3; i++) {
      expect(frames[i]!.payload).toMatchObject({ width: 160, height: 120, format: 'rgb24' });
      expect(Buffer.from(frames[i]!.payload.data).equals(ref.subarray(i * 57600, (i + 1) * 57600))).toBe(true);
    }
    expect(Number(frames[1]!.deviceT! - frames[0]!.deviceT!)).toBeCloseTo(1e9 / 30, -3);
  });

  it('mjpeg: whole JPEGs with their dimensions; gray: 1 byte per pixel', async () => {
    for (const output of ['mjpeg', 'gray'] as const) {
      const { adapter, got, pump } = await open({ input: SRC, inputKind: 'lavfi', width: 160, height: 120, fps: 30, output });
      expect(await waitUntil(() => got.length >= 2, 5000)).toBe(true);
      await adapter.close();
      await pump;
      const f = (got[0]!.s as Sample<'image'>).payload;
      expect(f).toMatchObject({ width: 160, height: 120, format: output === 'mjpeg' ? 'jpeg' : 'gray8' });
      if (output === 'mjpeg') expect([f.data[0], f.data[1], f.data.at(-2), f.data.at(-1)]).toEqual([0xff, 0xd8, 0xff, 0xd9]);
      else expect(f.data).toHaveLength(160 * 120);
    }
  });

  it('ffmpeg killed → disconnected; restarted with backoff, frames again within 2 s', async () => {
    const events: DeviceEvent[] = [];
    const { adapter, got, pump } = await open({ input: SRC, inputKind: 'lavfi', width: 160, height: 120, fps: 30 }, events);
    try {
      expect(await waitUntil(() => got.length >= 5, 5000)).toBe(true);
      const pid = adapter.child!.pid!;
      const killedAt = Date.now();
      process.kill(pid, 'SIGKILL');
      expect(await waitUntil(() => events.some((e) => e.type === 'disconnected'), 2000)).toBe(true);
      expect(await waitUntil(() => got.some((g) => g.at > killedAt + 50), 2000)).toBe(true);
      expect(got.find((g) => g.at > killedAt + 50)!.at - killedAt).toBeLessThan(2000);
      expect(adapter.child!.pid).not.toBe(pid);
      expect(adapter.stats().reconnects).toBe(1);
    } finally {
      await adapter.close();
      await pump;
    }
  });

  it('a file source ends with the file (no loop)', async () => {
    const file = join(dir, 'clip.mkv');
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', SRC, '-frames:v', '6', '-c:v', 'ffv1', file]);
    const { got, pump } = await open({ input: file, width: 160, height: 120, fps: 30, realtime: false });
    await pump; // iteration ends by itself
    expect(got).toHaveLength(6);
  });

  it('a missing binary is a clear, retried error (not a crash)', async () => {
    const events: DeviceEvent[] = [];
    const { adapter, got, pump } = await open({ input: SRC, inputKind: 'lavfi', ffmpeg: '/nonexistent/ffmpeg' }, events);
    expect(await waitUntil(() => events.some((e) => e.type === 'disconnected'), 2000)).toBe(true);
    expect(events.find((e) => e.type === 'disconnected')).toMatchObject({ reason: expect.stringContaining('cannot run /nonexistent/ffmpeg') });
    await adapter.close();
    await pump;
    expect(got).toHaveLength(0);
  });
});
