import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { readPcap } from '../../../../devices/formats/pcap.ts';
import { OusterDecoder } from '../../../../devices/lidar/ouster/decoder.ts';
import { parseOusterMetadata } from '../../../../devices/lidar/ouster/metadata.ts';
import { VelodyneDecoder } from '../../../../devices/lidar/velodyne/decoder.ts';
import { RUNS, check, drainAll, mutate, mutationsArb, seededBytes, withinBudget } from './fuzz-kit.ts';

// Datagram decoders: inputs are whole UDP payloads. Mutations start from the real captures
// (test/fixtures/velodyne, test/fixtures/ouster), so the decode paths run on damaged real data.
const FIX = new URL('../../../fixtures/', import.meta.url);
const vlp = readPcap(readFileSync(new URL('velodyne/velodyne-vlp16__rust-lidar-utils-2014.pcap', FIX))).datagrams.filter((d) => d.dstPort === 2368).map((d) => d.payload);
const ousterMeta = parseOusterMetadata(readFileSync(new URL('ouster/ouster-os1-32-g__fw2.1.1-1024x10-legacy.json', FIX), 'utf8'));
const ouster = readPcap(readFileSync(new URL('ouster/ouster-os1-32-g__fw2.1.1-1024x10-legacy.pcap', FIX))).datagrams.filter((d) => d.dstPort === 7502).map((d) => d.payload);

/** Finite, and within the sensor's reach (VLP-16 decoder filters at 100 m; Ouster's 20-bit range ≤ 1048.6 m). */
function finiteCloud(xyz: Float32Array, maxM: number): boolean {
  for (const v of xyz) if (!Number.isFinite(v) || Math.abs(v) > maxM) return false;
  return true;
}

/** A datagram of a random size with seeded random content. */
const randomGramArb = (maxLen: number): fc.Arbitrary<Uint8Array> => fc.tuple(fc.nat(maxLen), fc.nat()).map(([n, seed]) => seededBytes(seed, n));

/** A 1206-byte datagram with valid block flags and random content: reaches the decode loop. */
const flaggedArb = fc.nat().map((seed) => seededBytes(seed, 1206)).map((b) => {
  for (let k = 0; k < 12; k++) {
    b[k * 100] = 0xff;
    b[k * 100 + 1] = 0xee;
  }
  b[1205] = 0x22;
  return b;
});

describe('Velodyne decoder fuzz (15k random + 10k mutated-real datagram sequences)', () => {
  it('total: random datagrams (random sizes, and flagged 1206-byte ones) never throw; points finite, ≤ 100 m', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(randomGramArb(1300), flaggedArb), { maxLength: 3 }), (grams) => {
        const dec = new VelodyneDecoder();
        withinBudget(1000, () => {
          for (const g of grams) dec.push(g, 0n);
          dec.flush();
          for (const s of drainAll(() => dec.next())) check(finiteCloud(s.cloud.xyz, 100), 'non-finite point');
        });
      }),
      { numRuns: RUNS.random },
    );
  });

  it('total: mutated real packets never throw; packets that lost their shape are counted, not decoded', () => {
    fc.assert(
      fc.property(fc.nat(vlp.length - 3), mutationsArb, (i, ms) => {
        const dec = new VelodyneDecoder({ model: 'VLP-16' });
        const m = mutate(vlp[i]!, ms);
        withinBudget(1000, () => {
          dec.push(vlp[i + 1]!, 0n);
          dec.push(m, 1n);
          dec.push(vlp[i + 2]!, 2n);
          dec.flush();
          for (const s of drainAll(() => dec.next())) check(finiteCloud(s.cloud.xyz, 100), 'non-finite point');
        });
        const st = dec.stats();
        check(st.packets + st.badPackets === 3, 'a datagram was neither decoded nor counted');
        if (m.length !== 1206) check(st.badPackets === 1, 'wrong-size datagram decoded');
      }),
      { numRuns: RUNS.mutated },
    );
  });
});

describe('Ouster decoder fuzz (15k random + 3k mutated-real datagrams)', () => {
  it('total: random datagrams never throw (most are the wrong size and counted)', () => {
    fc.assert(
      fc.property(fc.oneof(randomGramArb(256), fc.nat().map((seed) => seededBytes(seed, 6464))), (g) => {
        const dec = new OusterDecoder(ousterMeta);
        withinBudget(1000, () => {
          dec.push(g, 0n);
          dec.flush();
          for (const f of drainAll(() => dec.next())) check(finiteCloud(f.cloud.xyz, 1050), 'non-finite point');
        });
        const st = dec.stats();
        check(st.packets + st.badPackets === 1, 'datagram neither decoded nor counted');
      }),
      { numRuns: RUNS.random },
    );
  });

  it('total: mutated real packets never throw; frame ids and columns stay bounded', () => {
    fc.assert(
      fc.property(fc.nat(ouster.length - 1), mutationsArb, (i, ms) => {
        const dec = new OusterDecoder(ousterMeta);
        withinBudget(1000, () => {
          dec.push(mutate(ouster[i]!, ms), 0n);
          dec.flush();
          for (const f of drainAll(() => dec.next())) {
            check(f.columns <= 16, 'more columns than a packet holds');
            check(finiteCloud(f.cloud.xyz, 1050), 'non-finite point');
          }
        });
      }),
      { numRuns: 3_000 },
    );
  });
});
