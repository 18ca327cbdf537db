import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { JpegSplitter } from '../../../../devices/camera/ffmpeg/jpeg-splitter.ts';
import { Z16Decoder, encodeZ16Frame } from '../../../../devices/depth/z16/decoder.ts';
import { FixedFrameDecoder } from '../../../../devices/formats/fixed-frame-decoder.ts';
import { RUNS, check, chunkSizesArb, chunks, concat, drainAll, mutate, mutationsArb, prng, withinBudget } from './fuzz-kit.ts';

const mjpeg = new Uint8Array(readFileSync(new URL('../../../fixtures/ffmpeg/ffmpeg-lavfi__testsrc-64x48-3frames.mjpeg', import.meta.url)));

const z16StreamArb = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.nat()).map(([n, seed]) => {
  const r = prng(seed);
  return concat(Array.from({ length: n }, (_, k) => {
    const w = 1 + Math.floor(r() * 8);
    const h = 1 + Math.floor(r() * 6);
    return encodeZ16Frame({ width: w, height: h, unitM: 0.001, data: Uint16Array.from({ length: w * h }, () => Math.floor(r() * 65536)) }, { seq: k });
  }));
});

describe('Z16Decoder fuzz (15k random + 10k mutated + 2k resync)', () => {
  const feed = (b: Uint8Array, sizes: readonly number[]): Z16Decoder => {
    const d = new Z16Decoder();
    withinBudget(1000, () => {
      for (const c of chunks(b, sizes)) {
        d.push(c, 0n);
        for (const f of drainAll(() => d.next())) check(f.frame.data.length === f.frame.width * f.frame.height, 'frame size mismatch');
      }
    });
    return d;
  };
  it('total: random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), chunkSizesArb, (b, s) => void feed(b, s)), { numRuns: RUNS.random });
  });
  it('total: mutated valid streams', () => {
    fc.assert(fc.property(z16StreamArb, mutationsArb, chunkSizesArb, (b, m, s) => void feed(mutate(b, m), s)), { numRuns: RUNS.mutated });
  });
  it('resync: garbage before valid frames → every frame decoded, garbage counted', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), z16StreamArb, chunkSizesArb, (g, stream, s) => {
        // Garbage can fake a magic + length that swallows real bytes; end it with a byte that cannot start "DZ16".
        const d = feed(concat([g, Uint8Array.of(0), stream]), s);
        const frames = d.stats().frames;
        const expected = feed(stream, s).stats().frames;
        check(frames >= expected - 1, 'frames lost after garbage');
        check(d.stats().badBytes >= 1, 'garbage not counted');
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('JpegSplitter fuzz (15k random + 10k mutated real MJPEG)', () => {
  const feed = (b: Uint8Array, sizes: readonly number[]): void => {
    const s = new JpegSplitter();
    withinBudget(1000, () => {
      for (const c of chunks(b, sizes)) {
        s.push(c, 0n);
        for (const f of drainAll(() => s.next())) check(f.data[0] === 0xff && f.data[1] === 0xd8 && f.data.at(-1) === 0xd9, 'frame is not SOI…EOI');
      }
    });
  };
  it('total: random bytes (with SOI markers sprinkled in)', () => {
    const arb = fc.uint8Array({ maxLength: 300 }).map((b) => {
      for (let i = 0; i + 1 < b.length; i += 37) {
        b[i] = 0xff;
        b[i + 1] = 0xd8;
      }
      return b;
    });
    fc.assert(fc.property(arb, chunkSizesArb, (b, s) => feed(b, s)), { numRuns: RUNS.random });
  });
  it('total: mutated real frames', () => {
    fc.assert(fc.property(mutationsArb, fc.array(fc.integer({ min: 64, max: 4096 }), { minLength: 1, maxLength: 4 }), (m, s) => feed(mutate(mjpeg, m), s)), { numRuns: RUNS.mutated });
  });
});

describe('FixedFrameDecoder fuzz (15k)', () => {
  it('total: any bytes, any frame size: frames are exact, leftovers counted at flush', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 500 }), fc.integer({ min: 1, max: 64 }), chunkSizesArb, (b, size, s) => {
        const d = new FixedFrameDecoder(size);
        for (const c of chunks(b, s)) d.push(c, 0n);
        d.flush();
        const frames = drainAll(() => d.next());
        check(frames.every((f) => f.data.length === size), 'wrong frame size');
        check(frames.length * size + d.stats().badBytes === b.length, 'bytes unaccounted');
      }),
      { numRuns: RUNS.random },
    );
  });
});
