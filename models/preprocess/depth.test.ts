import { describe, expect, it } from 'vitest';
import type { DepthFrame } from '../../src/core/index.ts';
import { createDepthPreprocessor } from './depth.ts';
import type { DepthSpec } from './spec.ts';

const spec: DepthSpec = { op: 'depth', width: 80, height: 60, maxRangeM: 4 };

function frame(w: number, h: number, v: (x: number, y: number) => number, unitM = 0.001): DepthFrame {
  const data = new Uint16Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = v(x, y);
  return { width: w, height: h, unitM, data };
}

function naive(f: DepthFrame, s: DepthSpec): Float32Array {
  const out = new Float32Array(s.width * s.height);
  for (let oy = 0; oy < s.height; oy++) {
    for (let ox = 0; ox < s.width; ox++) {
      let sum = 0;
      let n = 0;
      for (let y = Math.floor((oy * f.height) / s.height); y < Math.floor(((oy + 1) * f.height) / s.height); y++) {
        for (let x = Math.floor((ox * f.width) / s.width); x < Math.floor(((ox + 1) * f.width) / s.width); x++) {
          const d = f.data[y * f.width + x] as number;
          if (d > 0) {
            sum += d;
            n++;
          }
        }
      }
      out[oy * s.width + ox] = n === 0 ? 0 : ((sum / n) * f.unitM) / s.maxRangeM;
    }
  }
  return out;
}

describe('depth preprocessing', () => {
  it('has the contract shape [1, 60, 80]', () => {
    expect(createDepthPreprocessor(spec).shape).toEqual([1, 60, 80]);
  });

  it('averages only valid pixels: half 0 and half 2000 mm reads 2 m, i.e. 0.5 of 4 m', () => {
    const out = createDepthPreprocessor(spec)(frame(640, 480, (x) => (x % 2 === 0 ? 0 : 2000)));
    expect(out[0]).toBeCloseTo(0.5, 6);
    expect(out[4799]).toBeCloseTo(0.5, 6);
  });

  it('gives 0 for a cell with no valid pixel, and respects unitM', () => {
    const out = createDepthPreprocessor(spec)(frame(640, 480, (x, y) => (x < 8 && y < 8 ? 0 : 1000), 0.002));
    expect(out[0]).toBe(0);
    expect(out[1]).toBeCloseTo(0.5, 6);
  });

  it('matches a naive reference on random data, fast and generic paths', () => {
    let s = 5;
    const r = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) % 7 === 0 ? 0 : s % 5000);
    for (const [w, h] of [[640, 480], [90, 70]] as const) {
      const f = frame(w, h, () => r());
      const got = createDepthPreprocessor(spec)(f);
      const want = naive(f, spec);
      for (let k = 0; k < want.length; k++) expect(got[k]).toBeCloseTo(want[k] as number, 5);
    }
  });

  it('rejects a frame smaller than the output or with too little data', () => {
    const p = createDepthPreprocessor(spec);
    expect(() => p(frame(40, 30, () => 1))).toThrow(/smaller than the model input/);
    expect(() => p({ width: 640, height: 480, unitM: 0.001, data: new Uint16Array(10) })).toThrow(/needs 307200 values/);
  });
});
