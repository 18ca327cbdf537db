import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { McapIndexedReader } from '@mcap/core';
import { loadDecompressHandlers } from '@mcap/support';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clocks.ts';
import { truthAt, type GroundTruth } from '../../../src/core/log-reader.ts';
import type { AnySample } from '../../../src/core/sample.ts';
import type { Compression } from '../../../src/record/mcap/compression.ts';
import { openMcapBytes } from '../../../src/record/mcap/open-log.ts';
import { Recorder, type RecorderOptions } from '../../../src/record/recorder.ts';
import { ThreadedRecorder } from '../../../src/record/threaded-recorder.ts';
import { sampleHash, syntheticSamples } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'sensorium-rec-'));
const T0 = 1_900_000_000_000_000_000n;

const truth: GroundTruth = {
  key: 'test truth',
  labels: ['a', 'b'],
  labelAt: (t) => Number((t / 50_000_000n) % 2n),
  changesBetween: (t0, t1) => {
    const out = [];
    for (let k = t0 / 50_000_000n + 1n; k * 50_000_000n < t1; k++) out.push({ at: k * 50_000_000n, label: Number(k % 2n) });
    return out;
  },
};

async function record(name: string, rounds: number, o: Partial<RecorderOptions> = {}): Promise<{ recorder: Recorder; samples: AnySample[]; clock: ManualClock }> {
  const clock = new ManualClock(T0);
  const recorder = new Recorder({ path: join(dir, name), clock, software: 'sensorium test', sources: [{ id: 'lidar0', description: { kind: 'scan', modality: 'lidar', nominalHz: 10, bytesPerSample: 1440, latencyNs: 5_000_000n } }], ...o });
  const samples: AnySample[] = [];
  for (let k = 0; k < rounds; k++) {
    for (const s of syntheticSamples(k)) {
      samples.push(s);
      recorder.sample(s);
    }
    await clock.advance(10_000_000n);
  }
  return { recorder, samples, clock };
}

/** What replay must return: the samples in arrival order, ties in recording order. */
const byArrival = (xs: AnySample[]): AnySample[] => xs.map((s, i) => ({ s, i })).sort((a, b) => (a.s.receivedAt === b.s.receivedAt ? a.i - b.i : a.s.receivedAt < b.s.receivedAt ? -1 : 1)).map((x) => x.s);

async function readAll(bytes: Uint8Array): Promise<AnySample[]> {
  const r = await openMcapBytes(bytes);
  const out: AnySample[] = [];
  for await (const s of r.samples()) out.push(s);
  await r.close();
  return out;
}

describe('Recorder → MCAP', () => {
  it('writes a valid MCAP for an independent reader: summary, statistics, chunk index, metadata', async () => {
    const { recorder, samples, clock } = await record('valid.mcap', 12, { chunkSize: 16 << 10, groundTruth: truth, config: { yaml: 'device: { id: x }\n', dir: 'deploy/configs' } });
    recorder.result({ v: 1, seq: 0, ts: '', t_ns: String(clock.now()), device: 'x', pipeline: 'p1', label: 'a', score: 1, probs: { a: 1 }, mask: {}, lineage: { sources: {}, skewMs: 0, drops: { inference: 0, sources: {} } }, model: { name: 'm', version: '1', head: 'h', precision: 'int8' } });
    const stats = await recorder.close();
    const bytes = new Uint8Array(readFileSync(stats.files[0]!));
    const reader = await McapIndexedReader.Initialize({
      readable: { size: () => Promise.resolve(BigInt(bytes.byteLength)), read: (o, n) => Promise.resolve(bytes.subarray(Number(o), Number(o + n))) },
      decompressHandlers: await loadDecompressHandlers(),
    });
    expect(reader.statistics?.messageCount).toBe(BigInt(stats.messages));
    expect(reader.statistics?.chunkCount).toBe(reader.chunkIndexes.length);
    expect(reader.chunkIndexes.length).toBeGreaterThan(3);
    expect(reader.chunkIndexes.every((c) => c.compression === 'zstd')).toBe(true);
    expect(reader.summaryOffsetsByOpcode.size).toBeGreaterThanOrEqual(4);
    const topics = [...reader.channelsById.values()].map((c) => `${c.topic} ${reader.schemasById.get(c.schemaId)?.name}`).sort();
    expect(topics).toContain('/cam0/image foxglove.RawImage');
    expect(topics).toContain('/jpg0/image/compressed foxglove.CompressedImage');
    expect(topics).toContain('/lidar0/scan foxglove.LaserScan');
    expect(topics).toContain('/vlp0/points foxglove.PointCloud');
    expect(topics).toContain('/eeg0/eeg sensorium.EegChunk');
    expect(topics).toContain('/sensorium/results/p1 sensorium.Result');
    expect(topics).toContain('/sensorium/ground_truth sensorium.GroundTruth');
    const meta = new Map<string, Map<string, string>>();
    for await (const m of reader.readMetadata()) meta.set(m.name, m.metadata);
    expect(Object.fromEntries(meta.get('sensorium') ?? [])).toMatchObject({ format: 'sensorium.log/1', software: 'sensorium test', start_ns: String(T0), config_yaml: 'device: { id: x }\n', ground_truth: 'test truth' });
    let n = 0;
    for await (const _ of reader.readMessages()) n++;
    expect(n).toBe(stats.messages);

    // Our reader returns every sample exactly, in arrival order; and the ground-truth track.
    const back = await readAll(bytes);
    expect(back.map(sampleHash)).toEqual(byArrival(samples).map(sampleHash));
    const log = await openMcapBytes(bytes);
    expect(log.info).toMatchObject({ format: 'sensorium', startNs: T0, pipelines: ['p1'], config: { dir: 'deploy/configs' }, recovered: false });
    expect(log.info.sources.find((s) => s.id === 'lidar0')?.description).toEqual({ kind: 'scan', modality: 'lidar', nominalHz: 10, bytesPerSample: 1440, latencyNs: 5_000_000n });
    const gt = await log.groundTruth();
    expect(gt?.points[0]).toEqual({ at: T0, label: truth.labelAt(T0), change: false });
    // Truth is logged up to the latest arrival seen (or the close), whichever is later.
    const last = samples.reduce((a, s) => (s.receivedAt > a ? s.receivedAt : a), clock.now());
    expect(gt?.points.slice(1).map((p) => p.at)).toEqual(truth.changesBetween(T0, last + 1n).map((c) => c.at));
    await log.close();
  });

  it.each<Compression>(['lz4', 'none'])('round-trip with %s chunks', async (compression) => {
    const { recorder, samples } = await record(`c-${compression}.mcap`, 4, { compression, chunkSize: 8 << 10 });
    const stats = await recorder.close();
    expect((await readAll(new Uint8Array(readFileSync(stats.files[0]!)))).map(sampleHash)).toEqual(byArrival(samples).map(sampleHash));
  });

  it('rotates by size and by time: every segment is a complete log, together they hold every sample', async () => {
    for (const rotate of [{ maxBytes: 30_000 }, { everyNs: 40_000_000n }]) {
      const { recorder, samples } = await record(`rot-{date}.mcap`, 16, { chunkSize: 4096, rotate, groundTruth: truth });
      const stats = await recorder.close();
      expect(stats.files.length).toBeGreaterThan(2);
      expect(stats.files[0]).toMatch(/rot-2030-03-17T17-46-40Z\.000\.mcap$/);
      const all: AnySample[] = [];
      for (const [i, f] of stats.files.entries()) {
        const log = await openMcapBytes(new Uint8Array(readFileSync(f)));
        expect(log.info.recovered).toBe(false);
        expect(log.info.meta['start_ns']).toBe(String(T0));
        expect(log.info.meta['segment']).toBe(String(i));
        // Each segment replays from its own start, knowing the label in force from then on.
        const seg = BigInt(log.info.meta['segment_start_ns'] ?? '0');
        expect(log.info.startNs <= seg).toBe(true);
        const track = await log.groundTruth();
        let last = seg;
        for await (const s of log.samples()) {
          expect(s.receivedAt).toBeGreaterThanOrEqual(log.info.startNs);
          if (s.receivedAt > last) last = s.receivedAt;
          all.push(s);
        }
        for (let t = seg; t <= last; t += 3_000_000n) expect(truthAt(track!, t), `segment ${i}: truth at ${t}`).toBe(truth.labelAt(t));
        await log.close();
      }
      expect(all.map(sampleHash).sort()).toEqual(samples.map(sampleHash).sort());
    }
  });

  it('counts a payload already moved to a worker as dropped instead of writing garbage', async () => {
    const { recorder } = await record('detached.mcap', 0);
    const frame = new Uint8Array(12);
    structuredClone(frame.buffer, { transfer: [frame.buffer] });
    recorder.sample({ kind: 'image', sourceId: 'cam0', seq: 0, t: T0, receivedAt: T0, payload: { width: 2, height: 2, format: 'rgb24', data: frame } });
    expect((await recorder.close()).dropped).toBe(1);
  });
});

describe('ThreadedRecorder (encoding and writes in a worker thread)', () => {
  it('writes the very same file as the in-thread Recorder, and keeps the caller’s buffers intact', async () => {
    const files: Buffer[] = [];
    for (const Kind of [Recorder, ThreadedRecorder]) {
      const clock = new ManualClock(T0);
      const rec = new Kind({ path: join(dir, `same-${Kind.name}.mcap`), clock, software: 'test', chunkSize: 8192, groundTruth: truth, sources: [] });
      for (let k = 0; k < 8; k++) {
        for (const s of syntheticSamples(k)) {
          rec.sample(s);
          expect((s.payload as { data?: Uint8Array }).data?.byteLength ?? 1).toBeGreaterThan(0);
        }
        if (k === 4) await rec.flush();
        await clock.advance(10_000_000n);
      }
      const stats = await rec.close();
      expect(stats.samples['cam0']).toBe(8);
      files.push(readFileSync(stats.files[0]!));
    }
    expect(files[1]!.equals(files[0]!)).toBe(true);
  });
});
