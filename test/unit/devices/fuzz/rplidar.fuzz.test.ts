import fc from 'fast-check';
import { describe, it } from 'vitest';
import { encodeCapsule } from '../../../../devices/lidar/rplidar/capsule.ts';
import { RplidarDecoder } from '../../../../devices/lidar/rplidar/decoder.ts';
import type { RplidarMessage } from '../../../../devices/lidar/rplidar/messages.ts';
import { encodeDescriptor } from '../../../../devices/lidar/rplidar/protocol.ts';
import { ScanAssembler } from '../../../../devices/lidar/rplidar/scan-assembler.ts';
import { RUNS, check, chunkSizesArb, chunks, concat, drainAll, mutate, mutationsArb, prng, withinBudget } from './fuzz-kit.ts';

/** Valid standard-scan nodes as a rotating head sends them: angle advancing 0–2° per node, S at each wrap. */
function nodes(r: () => number, n: number, startDeg = r() * 360): number[] {
  const out: number[] = [];
  let a = startDeg;
  for (let i = 0; i < n; i++) {
    const next = a + r() * 2;
    const start = i === 0 || next >= 360;
    a = next % 360;
    const q = Math.floor(r() * 64);
    const angle = Math.floor(a * 64);
    const dist = Math.floor(r() * 65536);
    out.push((q << 2) | (start ? 1 : 2), ((angle & 0x7f) << 1) | 1, angle >> 7, dist & 0xff, dist >> 8);
  }
  return out;
}

/** Info + health answers, then a standard scan or an express scan, from one seed. */
const streamArb = fc.tuple(fc.nat(), fc.boolean()).map(([seed, express]) => {
  const r = prng(seed);
  const parts: Uint8Array[] = [
    encodeDescriptor({ length: 20, mode: 0, dataType: 0x04 }),
    Uint8Array.from({ length: 20 }, () => Math.floor(r() * 256)),
    encodeDescriptor({ length: 3, mode: 0, dataType: 0x06 }),
    Uint8Array.of(0, 0, 0),
  ];
  if (express) {
    parts.push(encodeDescriptor({ length: 84, mode: 1, dataType: 0x82 }));
    for (let k = 0; k < 4; k++) {
      const cabins = Array.from({ length: 16 }, () => ({ d1Mm: r() * 16000, d2Mm: r() * 16000, off1Q3: Math.floor(r() * 64), off2Q3: Math.floor(r() * 64) }));
      parts.push(encodeCapsule(Math.floor(r() * 23040), k === 0, cabins));
    }
  } else {
    parts.push(encodeDescriptor({ length: 5, mode: 1, dataType: 0x81 }));
    parts.push(Uint8Array.from(nodes(r, 30)));
  }
  return concat(parts);
});

function feed(bytes: Uint8Array, sizes: readonly number[]): RplidarMessage[] {
  const dec = new RplidarDecoder();
  const asm = new ScanAssembler();
  const out: RplidarMessage[] = [];
  withinBudget(1000, () => {
    for (const c of chunks(bytes, sizes)) {
      dec.push(c, 0n);
      for (const m of drainAll(() => dec.next())) {
        out.push(m);
        if (m.type === 'node') {
          check(m.angleDeg >= 0 && m.angleDeg < 360, `angle ${m.angleDeg}`);
          check(m.distanceMm >= 0 && m.distanceMm < 16384, `distance ${m.distanceMm}`);
          const s = asm.add(m);
          if (s) for (const v of s.scan.ranges) check(v === 0 || (v >= 0.15 && v <= 12), `range ${v}`);
        }
      }
    }
  });
  return out;
}

describe('RplidarDecoder fuzz (15k random + 10k mutated + 2k resync inputs)', () => {
  it('total: random bytes never throw, node fields stay in range', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), chunkSizesArb, (b, s) => void feed(b, s)), { numRuns: RUNS.random });
  });

  it('total: mutated valid answers and scans never throw', () => {
    fc.assert(fc.property(streamArb, mutationsArb, chunkSizesArb, (b, m, s) => void feed(mutate(b, m), s)), { numRuns: RUNS.mutated });
  });

  it('resync: after garbage inside a node stream, the last 16 of 20 nodes always come through; bad bytes counted', () => {
    fc.assert(
      fc.property(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 60 }), chunkSizesArb, (seed, garbage, sizes) => {
        const r = prng(seed);
        const before = nodes(r, 5, 10);
        const after = nodes(r, 20, 30);
        const dec = new RplidarDecoder();
        const all = concat([encodeDescriptor({ length: 5, mode: 1, dataType: 0x81 }), Uint8Array.from(before), garbage, Uint8Array.from(after)]);
        for (const c of chunks(all, sizes)) dec.push(c, 0n);
        const got = drainAll(() => dec.next()).filter((m) => m.type === 'node');
        const tail = got.slice(-16).map((n) => (n.type === 'node' ? n.distanceMm : -1));
        const want = Array.from({ length: 16 }, (_, i) => { const o = (i + 4) * 5; return (after[o + 3]! | (after[o + 4]! << 8)) / 4; });
        check(JSON.stringify(tail) === JSON.stringify(want), `nodes after garbage lost: ${JSON.stringify(tail)} vs ${JSON.stringify(want)}`);
        // Garbage either is counted, or (rarely) decodes as plausible nodes — never silently vanishes.
        check(dec.stats().badBytes + 5 * Math.max(0, got.length - 25) + 5 >= garbage.length, 'garbage not counted');
      }),
      { numRuns: 2_000 },
    );
  });
});
