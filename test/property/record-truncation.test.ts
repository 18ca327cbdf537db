import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { McapIndexedReader, McapStreamReader } from '@mcap/core';
import { loadDecompressHandlers } from '@mcap/support';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clocks.ts';
import { RecordingError } from '../../src/core/errors.ts';
import type { AnySample } from '../../src/core/sample.ts';
import type { Compression } from '../../src/record/mcap/compression.ts';
import { openMcapBytes } from '../../src/record/mcap/open-log.ts';
import { Recorder } from '../../src/record/recorder.ts';
import { syntheticSamples } from '../unit/record/helpers.ts';

/**
 * Crash safety and corruption, as laws over generated cut points and damaged bytes:
 * - sound under truncation: a log cut at any byte opens (unless even the magic is gone — a named
 *   RecordingError), never throws otherwise, and returns exactly the messages of the chunks that
 *   were complete — the set @mcap/core's own stream reader recovers from the same bytes;
 * - corruption is named: a damaged byte inside a chunk raises RecordingError with that chunk's
 *   byte offset, whether the summary survived (indexed read) or not (scan).
 */
const SOURCES = new Set(['cam0', 'depth0', 'lidar0', 'eeg0']);
const dir = mkdtempSync(join(tmpdir(), 'sensorium-trunc-'));
const logs: Partial<Record<Compression, Uint8Array>> = {};

async function build(compression: Compression): Promise<Uint8Array> {
  const clock = new ManualClock(1_900_000_000_000_000_000n);
  const path = join(dir, `${compression}.mcap`);
  const recorder = new Recorder({ path, clock, software: 'test', compression, chunkSize: 3000, sources: [] });
  for (let k = 0; k < 24; k++) for (const s of syntheticSamples(k)) if (SOURCES.has(s.sourceId)) recorder.sample(s);
  await recorder.close();
  return new Uint8Array(readFileSync(path));
}

beforeAll(async () => {
  logs.zstd = await build('zstd');
  logs.none = await build('none');
});

const key = (source: string, seq: number, logTime: bigint): string => `${source}#${seq}@${logTime}`;

/** What @mcap/core's stream reader gets out of the same bytes (complete chunks only). */
async function streamOracle(bytes: Uint8Array): Promise<string[]> {
  const r = new McapStreamReader({ decompressHandlers: await loadDecompressHandlers() });
  r.append(bytes);
  const sourceOf = new Map<number, string>();
  const out: string[] = [];
  for (let rec = r.nextRecord(); rec; rec = r.nextRecord()) {
    if (rec.type === 'Channel') sourceOf.set(rec.id, rec.metadata.get('sensorium.source') ?? '');
    if (rec.type === 'Message' && SOURCES.has(sourceOf.get(rec.channelId) ?? '')) out.push(key(sourceOf.get(rec.channelId) ?? '', rec.sequence, rec.logTime));
  }
  return out.sort();
}

async function readKeys(bytes: Uint8Array): Promise<{ keys: string[]; recovered: boolean; ordered: boolean }> {
  const log = await openMcapBytes(bytes);
  const got: AnySample[] = [];
  for await (const s of log.samples()) got.push(s);
  await log.close();
  return { keys: got.map((s) => key(s.sourceId, s.seq, s.receivedAt)).sort(), recovered: log.info.recovered, ordered: got.every((s, i) => i === 0 || got[i - 1]!.receivedAt <= s.receivedAt) };
}

async function chunkIndexes(bytes: Uint8Array): Promise<{ offset: number; length: number; header: number }[]> {
  const r = await McapIndexedReader.Initialize({ readable: { size: () => Promise.resolve(BigInt(bytes.length)), read: (o, n) => Promise.resolve(bytes.subarray(Number(o), Number(o + n))) }, decompressHandlers: await loadDecompressHandlers() });
  // Chunk record: opcode, u64 length, start, end, uncompressed size (u64 ×3), crc (u32), compression string, u64 records length.
  return r.chunkIndexes.map((c) => ({ offset: Number(c.chunkStartOffset), length: Number(c.chunkLength), header: 9 + 24 + 4 + 4 + c.compression.length + 8 }));
}

describe('record: truncation and corruption laws', () => {
  it('sound under truncation: 100 random cut points return exactly the complete chunks, in arrival order, never throwing unexpectedly', async () => {
    const bytes = logs.zstd as Uint8Array;
    const all = await streamOracle(bytes);
    expect(all.length).toBe(24 * 4);
    expect((await chunkIndexes(bytes)).length).toBeGreaterThan(20);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: bytes.length }), async (cut) => {
        const part = bytes.subarray(0, cut);
        if (cut < 8) {
          await expect(openMcapBytes(part)).rejects.toThrow(RecordingError);
          return;
        }
        const got = await readKeys(part);
        expect(got.keys).toEqual(await streamOracle(part));
        expect(got.ordered).toBe(true);
        // A cut anywhere before the footer's magic loses the summary: the scan path recovered it.
        expect(got.recovered).toBe(cut < bytes.length);
      }),
      { numRuns: 100 },
    );
  });

  it('corruption inside a chunk raises RecordingError naming that chunk’s byte offset (with or without a summary)', async () => {
    const bytes = logs.none as Uint8Array;
    const chunks = await chunkIndexes(bytes);
    const dataEnd = chunks.reduce((a, c) => Math.max(a, c.offset + c.length), 0);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: chunks.length - 1 }), fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.integer({ min: 1, max: 255 }), async (ci, where, flip) => {
        const c = chunks[ci]!;
        const at = c.offset + c.header + Math.floor(where * (c.length - c.header));
        const damaged = bytes.slice();
        damaged[at] = (damaged[at] as number) ^ flip;
        // Summary intact: opens, fails when the chunk is read.
        const err = await readKeys(damaged).then(() => undefined, (e: unknown) => e);
        expect(err).toBeInstanceOf(RecordingError);
        expect((err as RecordingError).offset).toBe(c.offset);
        expect((err as RecordingError).message).toContain(`byte ${c.offset}`);
        // No summary (cut before the summary): the scan fails on the same chunk.
        const scanErr = await readKeys(damaged.subarray(0, dataEnd + 3)).then(() => undefined, (e: unknown) => e);
        expect(scanErr).toBeInstanceOf(RecordingError);
        expect((scanErr as RecordingError).offset).toBe(c.offset);
      }),
      { numRuns: 40 },
    );
  });

  it('a damaged zstd chunk and a garbage record opcode are named too', async () => {
    const bytes = logs.zstd as Uint8Array;
    const c = (await chunkIndexes(bytes))[3]!;
    const damaged = bytes.slice();
    for (let i = 0; i < 16; i++) damaged[c.offset + c.header + 40 + i] = (damaged[c.offset + c.header + 40 + i] as number) ^ 0x5a;
    await expect(readKeys(damaged)).rejects.toMatchObject({ name: 'RecordingError', offset: c.offset });
    const opcode = bytes.slice(0, c.offset + c.length + 20);
    opcode[c.offset] = 0x7f;
    await expect(openMcapBytes(opcode)).rejects.toMatchObject({ name: 'RecordingError', offset: c.offset, message: expect.stringContaining('unknown record opcode 0x7f') });
  });
});
