import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { McapIndexedReader } from '@mcap/core';
import { loadDecompressHandlers } from '@mcap/support';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../src/config/load.ts';
import { isReplayDriver } from '../../../src/core/log-reader.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import type { DeviceAdapter } from '../../../src/core/device.ts';
import { runLockstep } from '../../../src/record/lockstep.ts';
import { recordRun, type RecordRunResult } from '../../../src/record/record-run.ts';
import { replayLog } from '../../../src/record/replay-run.ts';
import { SteppingClock } from '../../../src/record/stepping-clock.ts';
import { ChannelHashes, schemaErrors } from '../../unit/record/helpers.ts';
import { replayRegistry } from './replay-registry.ts';

/**
 * Record the simulator (the demo config: four sensors at full resolution, the committed int8 models
 * in their worker) on a virtual clock, then replay the log: the same samples per channel (sha256
 * over every field and payload byte), delivered at their recorded arrival instants — and the
 * pipeline, fed by the replay, produces byte-identical results to the ones recorded live.
 */
const dir = mkdtempSync(join(tmpdir(), 'sensorium-rt-'));
const path = join(dir, 'sim.mcap');
const START = 1_800_000_030_000_000_000n;
const recorded = new ChannelHashes();
let stats: RecordRunResult;
let bytes: Uint8Array;

beforeAll(async () => {
  const loaded = loadConfigFile('deploy/configs/demo.yaml');
  stats = await recordRun({
    config: loaded.config,
    dir: loaded.dir,
    configText: readFileSync(loaded.path, 'utf8'),
    registry: replayRegistry(),
    out: path,
    durationNs: 1_200_000_000n,
    virtualStartNs: START,
    logger: silentLogger,
    onSample: (s) => recorded.add(s),
  });
  bytes = new Uint8Array(readFileSync(path));
}, 60_000);

async function indexedReader(): Promise<McapIndexedReader> {
  return McapIndexedReader.Initialize({ readable: { size: () => Promise.resolve(BigInt(bytes.length)), read: (o, n) => Promise.resolve(bytes.subarray(Number(o), Number(o + n))) }, decompressHandlers: await loadDecompressHandlers() });
}

describe('record the simulator → replay', () => {
  it('round-trip: identical samples per channel, each delivered at its recorded arrival instant', async () => {
    const registry = replayRegistry();
    const driver = registry.drivers.get('replay');
    if (!isReplayDriver(driver)) throw new Error('no replay driver');
    const clock = new SteppingClock(0n);
    const feed = await driver.load(path, { clock });
    clock.jumpTo(feed.info.startNs);
    const replayed = new ChannelHashes();
    let late = 0;
    const adapters: DeviceAdapter[] = [];
    const pumps = feed.info.sources.map(async (src) => {
      const a = await driver.open({ log: path, source: src.id }, { sourceId: src.id, clock, log: silentLogger });
      adapters.push(a);
      for await (const s of a.samples()) {
        if (clock.now() !== s.receivedAt) late++;
        replayed.add(s);
      }
    });
    await new Promise((r) => setImmediate(r));
    await runLockstep({ clock, feed, endNs: feed.info.endNs, settle: () => Promise.resolve() });
    for (const a of adapters) await a.close();
    await Promise.all(pumps);
    await feed.close();
    expect(Object.keys(recorded.counts).sort()).toEqual(['cam0', 'depth0', 'eeg0', 'lidar0']);
    expect(replayed.counts).toEqual(recorded.counts);
    expect(replayed.digests()).toEqual(recorded.digests());
    expect(late).toBe(0);
  });

  it('replaying the log through the pipeline reproduces the recorded results byte for byte', async () => {
    const reader = await indexedReader();
    const live: string[] = [];
    for await (const m of reader.readMessages({ topics: ['/sensorium/results/cell_state'] })) live.push(new TextDecoder().decode(m.data));
    const replayed: string[] = [];
    const summary = await replayLog({ log: path, registry: replayRegistry(), speed: 'max', logger: silentLogger, onResult: (r) => replayed.push(JSON.stringify(r)) });
    expect(live.length).toBeGreaterThanOrEqual(10);
    expect(replayed).toEqual(live);
    expect(summary.accuracy?.truth).toBe('sim/cell seed=7');
  }, 60_000);

  it('is a valid MCAP to @mcap/core (summary, statistics, chunk indexes) whose payloads match the published schemas', async () => {
    const reader = await indexedReader();
    expect(reader.statistics?.messageCount).toBe(BigInt(stats.messages));
    expect(Number(reader.statistics?.chunkCount)).toBe(reader.chunkIndexes.length);
    expect(reader.chunkIndexes.length).toBeGreaterThan(5);
    const counts = Object.fromEntries([...(reader.statistics?.channelMessageCounts ?? [])].map(([id, n]) => [reader.channelsById.get(id)?.topic, Number(n)]));
    expect(counts).toMatchObject({ '/cam0/image': stats.samples.cam0, '/depth0/image': stats.samples.depth0, '/lidar0/scan': stats.samples.lidar0, '/eeg0/eeg': stats.samples.eeg0 });
    const checked = new Set<string>();
    for await (const m of reader.readMessages()) {
      const ch = reader.channelsById.get(m.channelId);
      const schema = reader.schemasById.get(ch?.schemaId ?? 0)?.name ?? '';
      if (checked.has(ch?.topic ?? '') || schema === 'sensorium.Result') continue;
      checked.add(ch?.topic ?? '');
      expect(schemaErrors(schema, JSON.parse(new TextDecoder().decode(m.data))), `${ch?.topic} (${schema})`).toEqual([]);
    }
    expect([...checked].sort()).toEqual(['/cam0/image', '/depth0/image', '/eeg0/eeg', '/lidar0/scan', '/sensorium/ground_truth']);
  });
});
