import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createReplayDriver } from '../../../devices/replay/index.ts';
import { ManualClock } from '../../../src/core/clocks.ts';
import type { DeviceAdapter } from '../../../src/core/device.ts';
import { ConfigError, DeviceError } from '../../../src/core/errors.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import type { AnySample } from '../../../src/core/sample.ts';
import { runLockstep } from '../../../src/record/lockstep.ts';
import { openMcapLog } from '../../../src/record/mcap/open-log.ts';
import { createPacer, parseSpeed } from '../../../src/record/pacer.ts';
import { Recorder } from '../../../src/record/recorder.ts';
import { SteppingClock } from '../../../src/record/stepping-clock.ts';
import { sampleHash, syntheticSamples } from './helpers.ts';

const T0 = 1_900_000_000_000_000_000n;
const dir = mkdtempSync(join(tmpdir(), 'sensorium-replay-'));

/** A log of the synthetic sources, where lidar0 loses seq 3 and 4 (as a device would). */
async function makeLog(): Promise<{ path: string; samples: AnySample[] }> {
  const path = join(dir, 'session.mcap');
  const clock = new ManualClock(T0);
  const recorder = new Recorder({ path, clock, software: 'test', chunkSize: 8192, sources: [] });
  const samples: AnySample[] = [];
  for (let k = 0; k < 10; k++) {
    for (const s of syntheticSamples(k)) {
      if (s.sourceId === 'lidar0' && (k === 3 || k === 4)) continue;
      samples.push(s);
      recorder.sample(s);
    }
  }
  await recorder.close();
  return { path, samples };
}

interface Delivery {
  s: AnySample;
  at: bigint;
}

async function replay(path: string, o: { sources?: string[]; startNs?: bigint; endNs?: bigint; open: string[] }): Promise<{ got: Map<string, Delivery[]>; adapters: Map<string, DeviceAdapter> }> {
  const driver = createReplayDriver({ openLog: openMcapLog });
  const clock = new SteppingClock(0n);
  const feed = await driver.load(path, { clock, ...o });
  clock.jumpTo(o.startNs ?? feed.info.startNs);
  const got = new Map<string, Delivery[]>();
  const adapters = new Map<string, DeviceAdapter>();
  const pumps: Promise<void>[] = [];
  for (const id of o.open) {
    const a = await driver.open({ log: path, source: id }, { sourceId: id, clock, log: silentLogger });
    adapters.set(id, a);
    got.set(id, []);
    pumps.push((async () => {
      for await (const s of a.samples()) got.get(id)?.push({ s, at: clock.now() });
    })());
  }
  await runLockstep({ clock, feed, endNs: o.endNs ?? feed.info.endNs, settle: () => Promise.resolve() });
  for (const a of adapters.values()) await a.close();
  await Promise.all(pumps);
  await feed.close();
  return { got, adapters };
}

describe('replay driver on a virtual clock', () => {
  it('delivers every sample exactly as recorded, at its receivedAt instant, in arrival order', async () => {
    const { path, samples } = await makeLog();
    const ids = [...new Set(samples.map((s) => s.sourceId))];
    const { got, adapters } = await replay(path, { open: ids });
    for (const id of ids) {
      const want = samples.filter((s) => s.sourceId === id).sort((a, b) => (a.receivedAt < b.receivedAt ? -1 : a.receivedAt > b.receivedAt ? 1 : 0));
      const d = got.get(id) ?? [];
      expect(d.map((x) => sampleHash(x.s)), id).toEqual(want.map(sampleHash));
      for (const x of d) expect(x.at, `${id} #${x.s.seq} delivered at its arrival`).toBe(x.s.receivedAt);
    }
    // Seq gaps of the recording are what the replayed device "lost".
    expect(adapters.get('lidar0')?.stats().dropped).toBe(2);
    expect(adapters.get('cam0')?.stats()).toMatchObject({ samples: 10, dropped: 0 });
  });

  it('time range and source filter: only what was asked for; unlisted sources stay silent', async () => {
    const { path, samples } = await makeLog();
    const startNs = samples[0]!.t + 35_000_000n;
    const endNs = startNs + 40_000_000n;
    const { got } = await replay(path, { sources: ['eeg0'], startNs, endNs, open: ['eeg0', 'cam0', 'not-in-log'] });
    const want = samples.filter((s) => s.sourceId === 'eeg0' && s.receivedAt >= startNs && s.receivedAt <= endNs);
    expect(want.length).toBeGreaterThan(2);
    expect(got.get('eeg0')?.map((x) => sampleHash(x.s))).toEqual(want.map(sampleHash));
    expect(got.get('cam0')).toEqual([]);
    expect(got.get('not-in-log')).toEqual([]);
  });

  it('describes logged sources from the log, others from their fallback; opening needs a loaded replay', async () => {
    const { path } = await makeLog();
    const driver = createReplayDriver({ openLog: openMcapLog });
    expect(() => driver.describe({ log: path, source: 'cam0' })).toThrow(ConfigError);
    const feed = await driver.load(path, { clock: new SteppingClock(0n) });
    expect(driver.describe({ log: path, source: 'cam0' })).toMatchObject({ kind: 'image', modality: 'camera' });
    const fallback = { kind: 'eeg' as const, modality: 'eeg' as const, nominalHz: 25, bytesPerSample: 320 };
    // Replayed stamps are kept as recorded (no second clock sync).
    expect(driver.describe({ log: path, source: 'eeg9', fallback })).toEqual({ ...fallback, clock: 'recorded' });
    expect(driver.describe({ log: path, source: 'cam0' }).clock).toBe('recorded');
    await expect(driver.open({ log: path, source: 'cam0' }, { sourceId: 'cam0', clock: new SteppingClock(0n), log: silentLogger })).rejects.toThrow(DeviceError);
    expect(() => driver.parseOptions({ log: path, source: 'cam0', speed: 2 }, 'sources.cam0')).toThrow(/sources\.cam0\.speed/);
    await feed.close();
  });
});

describe('pacing', () => {
  it('parses speeds, and never waits at max or when behind (it reports lag instead)', async () => {
    expect([parseSpeed('max'), parseSpeed('1'), parseSpeed('10x'), parseSpeed('0.5×'), parseSpeed('0'), parseSpeed('fast')]).toEqual(['max', 1, 10, 0.5, undefined, undefined]);
    let wall = 0n;
    const pacer = createPacer(2, T0, () => wall);
    wall = 3_000_000_000n; // 3 s of wall time passed; at 2× that is 6 s of log
    await pacer.wait(T0 + 4_000_000_000n); // due at 2 s: 1 s late, resolves at once
    expect(pacer.lagMs()).toBe(1000);
    expect(() => createPacer(0, T0)).toThrow(RangeError);
  });
});
