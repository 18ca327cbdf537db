import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { InferenceError, type ImageFrame } from '../../src/core/index.ts';
import { createImagePreprocessor } from './image.ts';
import type { ImageSpec } from './spec.ts';

const spec: ImageSpec = { op: 'image', width: 80, height: 60, mean: [0.4, 0.5, 0.6], std: [0.2, 0.25, 0.3] };

function frame(w: number, h: number, px: (x: number, y: number, c: number) => number): ImageFrame {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) data[(y * w + x) * 3 + c] = px(x, y, c);
  return { width: w, height: h, format: 'rgb24', data };
}

/** Straightforward reference: per output cell, average the covered input pixels. */
function naive(f: ImageFrame, s: ImageSpec): Float32Array {
  const out = new Float32Array(3 * s.width * s.height);
  for (let oy = 0; oy < s.height; oy++) {
    for (let ox = 0; ox < s.width; ox++) {
      const x0 = Math.floor((ox * f.width) / s.width), x1 = Math.floor(((ox + 1) * f.width) / s.width);
      const y0 = Math.floor((oy * f.height) / s.height), y1 = Math.floor(((oy + 1) * f.height) / s.height);
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) sum += f.data[(y * f.width + x) * 3 + c] as number;
        const mean = sum / ((x1 - x0) * (y1 - y0));
        out[c * s.width * s.height + oy * s.width + ox] = (mean / 255 - (s.mean[c] as number)) / (s.std[c] as number);
      }
    }
  }
  return out;
}

/** rgb24 → RGBA, what jpeg-js's encoder takes. */
function rgba(f: ImageFrame): Uint8Array {
  const out = new Uint8Array(f.width * f.height * 4);
  for (let k = 0; k < f.width * f.height; k++) {
    out[4 * k] = f.data[3 * k] as number;
    out[4 * k + 1] = f.data[3 * k + 1] as number;
    out[4 * k + 2] = f.data[3 * k + 2] as number;
    out[4 * k + 3] = 255;
  }
  return out;
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24);
}

describe('image preprocessing', () => {
  it('has the contract shape [3, 60, 80]', () => {
    expect(createImagePreprocessor(spec).shape).toEqual([3, 60, 80]);
  });

  it('maps a uniform colour to (c/255 − mean)/std in every cell', () => {
    const out = createImagePreprocessor(spec)(frame(640, 480, (_x, _y, c) => [10, 128, 250][c] as number));
    for (let c = 0; c < 3; c++) {
      const want = ([10, 128, 250][c]! / 255 - spec.mean[c]!) / spec.std[c]!;
      for (let k = 0; k < 4800; k++) expect(out[c * 4800 + k]).toBeCloseTo(want, 5);
    }
  });

  it('averages 8×8 boxes exactly (fast word path = naive reference, random bytes)', () => {
    const r = lcg(7);
    const f = frame(640, 480, () => r());
    const got = createImagePreprocessor(spec)(f);
    const want = naive(f, spec);
    for (let k = 0; k < want.length; k++) expect(Math.abs((got[k] as number) - (want[k] as number))).toBeLessThan(1e-5);
  });

  it('gives the same result for an unaligned buffer (byte path) and an aligned one (word path)', () => {
    const r = lcg(3);
    const f = frame(640, 480, () => r());
    const shifted = new Uint8Array(f.data.length + 1);
    shifted.set(f.data, 1);
    const a = createImagePreprocessor(spec)(f);
    const b = createImagePreprocessor(spec)({ ...f, data: shifted.subarray(1) });
    expect(Array.from(b)).toEqual(Array.from(a));
  });

  it('handles sizes that are not multiples of the output (area boxes of unequal size)', () => {
    const r = lcg(11);
    const f = frame(100, 75, () => r());
    const got = createImagePreprocessor(spec)(f);
    const want = naive(f, spec);
    for (let k = 0; k < want.length; k++) expect(got[k]).toBeCloseTo(want[k] as number, 5);
  });

  it('reads a column gradient as box centres (x = 8·ox + 3.5)', () => {
    const plain: ImageSpec = { op: 'image', width: 80, height: 60, mean: [0, 0, 0], std: [1, 1, 1] };
    const out = createImagePreprocessor(plain)(frame(640, 480, (x) => x % 256));
    expect(out[0]! * 255).toBeCloseTo(3.5, 4);
    expect(out[10]! * 255).toBeCloseTo(83.5, 4);
    expect(out[4800 + 59 * 80 + 31]! * 255).toBeCloseTo(251.5, 4);
  });

  it('takes gray8 (replicated) and i420 (BT.601)', () => {
    const gray = createImagePreprocessor(spec)({ width: 640, height: 480, format: 'gray8', data: new Uint8Array(640 * 480).fill(200) });
    for (let c = 0; c < 3; c++) expect(gray[c * 4800 + 123]).toBeCloseTo((200 / 255 - spec.mean[c]!) / spec.std[c]!, 5);
    // Y = 126, U = V = 128 is mid grey: R = G = B = 1.164·(126 − 16) = 128.04.
    const yuv = new Uint8Array(640 * 480 * 1.5).fill(128);
    yuv.fill(126, 0, 640 * 480);
    const i420 = createImagePreprocessor(spec)({ width: 640, height: 480, format: 'i420', data: yuv });
    for (let c = 0; c < 3; c++) expect(i420[c * 4800 + 4000]).toBeCloseTo((128.04 / 255 - spec.mean[c]!) / spec.std[c]!, 4);
  });

  it('decodes jpeg: a frame through JPEG (q 95) gives nearly the rgb24 tensor', () => {
    // Smooth shading and a few hard edges, like the cell's overhead view.
    const f = frame(640, 480, (x, y, c) => (c === 0 ? (x * 255) / 639 : c === 1 ? (y * 255) / 479 : (x - 320) ** 2 + (y - 240) ** 2 < 100 ** 2 ? 230 : 40));
    const p = createImagePreprocessor(spec);
    const want = p(f);
    const jpg = jpeg.encode({ width: 640, height: 480, data: rgba(f) }, 95).data;
    const got = p({ width: 640, height: 480, format: 'jpeg', data: new Uint8Array(jpg) });
    const diff = want.map((v, i) => Math.abs(v - (got[i] as number)));
    expect(diff.reduce((a, d) => a + d, 0) / diff.length).toBeLessThan(0.01);
    expect(Math.max(...diff)).toBeLessThan(0.1);
  });

  it("decodes ffmpeg's MJPEG as ffmpeg itself does (real bytes: test/fixtures/ffmpeg)", () => {
    const stream = new Uint8Array(readFileSync(new URL('../../test/fixtures/ffmpeg/ffmpeg-lavfi__testsrc-64x48-3frames.mjpeg', import.meta.url)));
    let end = 0;
    while (!(stream[end] === 0xff && stream[end + 1] === 0xd9)) end++;
    const first = stream.subarray(0, end + 2);
    const small: ImageSpec = { ...spec, width: 32, height: 24 };
    const p = createImagePreprocessor(small);
    const ours = p({ width: 64, height: 48, format: 'jpeg', data: first });
    const theirs = new Uint8Array(execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'mjpeg', '-i', '-', '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { input: first }));
    expect(theirs.length).toBe(64 * 48 * 3);
    const ref = p({ width: 64, height: 48, format: 'rgb24', data: theirs });
    // Decoders differ in IDCT rounding and chroma upsampling; 2×2 box means agree closely.
    const diff = ref.map((v, i) => Math.abs(v - (ours[i] as number)));
    expect(diff.reduce((a, d) => a + d, 0) / diff.length).toBeLessThan(0.01); // measured 0.0024
    expect(Math.max(...diff)).toBeLessThan(0.05); // 0.0196: 1/255 of a std 0.2 channel at most, ×2.5
  });

  it('rejects undecodable jpeg, short buffers and wrong output buffers with a clear error', () => {
    const p = createImagePreprocessor(spec);
    expect(() => p({ width: 640, height: 480, format: 'jpeg', data: new Uint8Array(10) })).toThrow(/jpeg frame \(10 bytes\) does not decode/);
    expect(() => p({ width: 640, height: 480, format: 'rgb24', data: new Uint8Array(100) })).toThrow(InferenceError);
    expect(() => p(frame(640, 480, () => 0), new Float32Array(10))).toThrow(/output buffer/);
  });

  it('writes into a caller-provided buffer', () => {
    const out = new Float32Array(3 * 4800);
    expect(createImagePreprocessor(spec)(frame(640, 480, () => 1), out)).toBe(out);
  });
});
