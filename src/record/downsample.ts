import type { AnySample, DepthFrame, ImageFrame } from '../core/sample.ts';

/**
 * Optional, lossy area-averaging of camera and depth frames before they are written (`downsample`
 * in the recorder options). A full-resolution simulator camera is ~0.7 MB per frame even with zstd
 * (sensor noise does not compress), so small committed fixtures and long field logs can keep
 * `factor × factor` box means instead: rgb24/gray8 per channel, rounded; depth as the mean of the
 * **valid** (non-zero) pixels, 0 where none — the same statistics the reference preprocessing
 * computes (models/preprocess), so a model whose input grid the factor divides sees nearly the same
 * input. Replay reproduces the logged (averaged) frames exactly. Other formats pass unchanged.
 */
export function downsampleSample(s: AnySample, factor: number): AnySample {
  if (factor <= 1) return s;
  if (s.kind === 'image' && (s.payload.format === 'rgb24' || s.payload.format === 'gray8') && divides(s.payload, factor)) {
    return { ...s, payload: averageImage(s.payload, factor) };
  }
  if (s.kind === 'depth' && divides(s.payload, factor)) return { ...s, payload: averageDepth(s.payload, factor) };
  return s;
}

function divides(f: { width: number; height: number }, k: number): boolean {
  return f.width % k === 0 && f.height % k === 0 && f.width >= k && f.height >= k;
}

export function averageImage(f: ImageFrame, k: number): ImageFrame {
  const ch = f.format === 'rgb24' ? 3 : 1;
  const ow = f.width / k;
  const oh = f.height / k;
  const sums = new Uint32Array(ow * ch);
  const out = new Uint8Array(ow * oh * ch);
  const n = k * k;
  for (let oy = 0; oy < oh; oy++) {
    sums.fill(0);
    for (let y = oy * k; y < (oy + 1) * k; y++) {
      let i = y * f.width * ch;
      for (let ox = 0; ox < ow; ox++) {
        for (let x = 0; x < k; x++) for (let c = 0; c < ch; c++) sums[ox * ch + c] = (sums[ox * ch + c] as number) + (f.data[i++] as number);
      }
    }
    // Round half up with integers only: identical on every platform.
    for (let j = 0; j < ow * ch; j++) out[oy * ow * ch + j] = Math.floor(((sums[j] as number) * 2 + n) / (2 * n));
  }
  return { width: ow, height: oh, format: f.format, data: out };
}

export function averageDepth(f: DepthFrame, k: number): DepthFrame {
  const ow = f.width / k;
  const oh = f.height / k;
  const out = new Uint16Array(ow * oh);
  for (let oy = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox++) {
      let s = 0;
      let n = 0;
      for (let y = oy * k; y < (oy + 1) * k; y++) {
        for (let x = ox * k; x < (ox + 1) * k; x++) {
          const d = f.data[y * f.width + x] as number;
          if (d !== 0) {
            s += d;
            n++;
          }
        }
      }
      out[oy * ow + ox] = n === 0 ? 0 : Math.floor((2 * s + n) / (2 * n));
    }
  }
  return { width: ow, height: oh, unitM: f.unitM, data: out };
}
