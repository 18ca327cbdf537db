import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../../src/core/errors.ts';
import { parseBrainFlowCsv } from '../../../../devices/eeg/brainflow-csv/parser.ts';
import { readEdf } from '../../../../devices/eeg/edf/reader.ts';
import { decompressLz4Frame } from '../../../../devices/formats/lz4-frame.ts';
import { readPcap } from '../../../../devices/formats/pcap.ts';
import { readRosBag } from '../../../../devices/formats/ros1-bag.ts';
import { parseOusterMetadata } from '../../../../devices/lidar/ouster/metadata.ts';
import { RUNS, concat, mutate, mutationsArb, seededBytes } from './fuzz-kit.ts';

// File readers may refuse a damaged file, but only with DecodeError (inspect prints it); any other
// exception, or a hang, is a bug. Inputs: random bytes, and the real fixtures mutated.
const FIX = new URL('../../../fixtures/', import.meta.url);
const bytesOf = (p: string): Uint8Array => new Uint8Array(readFileSync(new URL(p, FIX)));

function totalOrDecodeError(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
  }
}

// lz4js (a dependency, independent LZ4 implementation) makes reference frames.
const lz4js = createRequire(import.meta.url)('lz4js') as { compress(b: Uint8Array): Uint8Array };

describe('LZ4 frame decoder', () => {
  it('round-trip: decompresses lz4js frames of random and repetitive data exactly (150; lz4js is slow)', () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 64 }), (seed, n, period) => {
        const raw = seededBytes(seed, n).map((v, i, a) => (i >= period ? a[i % period]! : v)); // repeats → matches
        expect(decompressLz4Frame(lz4js.compress(raw))).toEqual(raw);
      }),
      { numRuns: 150 },
    );
  });

  it('total: mutated frames decode or throw DecodeError (10k)', () => {
    const base = lz4js.compress(seededBytes(7, 3000).map((v, i) => (i % 97 < 50 ? 65 : v)));
    fc.assert(fc.property(mutationsArb, (m) => totalOrDecodeError(() => decompressLz4Frame(mutate(base, m)))), { numRuns: RUNS.mutated });
  });
});

describe('file readers: total (decode or DecodeError)', () => {
  it('pcap: random bytes behind a valid magic, and the mutated real capture (15k + 3k)', () => {
    const real = bytesOf('velodyne/velodyne-vlp16__rust-lidar-utils-2014.pcap').subarray(0, 24 + 3 * (16 + 1248));
    const magic = real.subarray(0, 24);
    fc.assert(fc.property(fc.nat(), fc.nat(400), (s, n) => totalOrDecodeError(() => readPcap(concat([magic, seededBytes(s, n)])))), { numRuns: RUNS.random });
    fc.assert(fc.property(mutationsArb, (m) => totalOrDecodeError(() => readPcap(mutate(real, m)))), { numRuns: 3_000 });
  });

  it('ROS bag: the mutated real RealSense bag (100; 1 MB each)', () => {
    const bag = bytesOf('realsense/intel-d435__single-depth-color-640x480.bag');
    fc.assert(fc.property(mutationsArb, (m) => totalOrDecodeError(() => readRosBag(mutate(bag, m)))), { numRuns: 100 });
  });

  it('EDF: the mutated real header + 3 records, and random bytes behind "0       " (3k + 10k)', () => {
    const edf = bytesOf('edf/edfbrowser__test-generator.edf');
    const head = edf.subarray(0, 256 * 13 + 3 * 4514);
    fc.assert(fc.property(mutationsArb, (m) => totalOrDecodeError(() => readEdf(mutate(head, m)))), { numRuns: 3_000 });
    const v = new TextEncoder().encode('0       ');
    fc.assert(fc.property(fc.nat(), fc.nat(600), (s, n) => totalOrDecodeError(() => readEdf(concat([v, seededBytes(s, n)])))), { numRuns: RUNS.mutated });
  });

  it('BrainFlow CSV and Ouster metadata: mutated real files (3k each)', () => {
    const csv = bytesOf('brainflow/openbci-cyton__brainflow-csv-from-gui-v6.head2500.csv').subarray(0, 3000);
    const json = bytesOf('ouster/ouster-os1-32-g__fw2.1.1-1024x10-legacy.json');
    const td = new TextDecoder();
    fc.assert(fc.property(mutationsArb, (m) => totalOrDecodeError(() => parseBrainFlowCsv(td.decode(mutate(csv, m))))), { numRuns: 3_000 });
    fc.assert(fc.property(mutationsArb, (m) => totalOrDecodeError(() => parseOusterMetadata(td.decode(mutate(json, m))))), { numRuns: 3_000 });
  });
});
