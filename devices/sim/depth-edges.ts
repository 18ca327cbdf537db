import { BASELINE_M, FX, WIDTH } from './camera-model.ts';

/** D435 minimum depth at 640×480 is ~0.28 m; the scene never gets farther than ~3 m. */
export const DEPTH_MIN_M = 0.28;
export const DEPTH_MAX_M = 10;
const W = WIDTH;
const BAND_K = FX * BASELINE_M;

/**
 * Zeroes the pixels of one image row that a stereo depth camera cannot measure, given the true
 * depth `z`: out-of-range pixels; the occlusion band left of every near surface (pixels the second
 * imager cannot see; width = f·B·(1/z_near − 1/z_far), as on a D435 whose depth is aligned to the
 * left imager); and the far-side pixel of every step to a farther surface (a mixed pixel).
 */
export function invalidateRow(z: Float32Array, out: Uint16Array, row: number): void {
  const start = row * W;
  const end = start + W;
  let prev = z[start] as number;
  for (let p = start; p < end; p++) {
    const zi = z[p] as number;
    if (zi < DEPTH_MIN_M || zi > DEPTH_MAX_M) out[p] = 0;
    const step = prev - zi;
    if (step > 0.03) {
      const w = Math.ceil(BAND_K * (1 / zi - 1 / prev));
      for (let q = Math.max(start, p - w); q < p; q++) out[q] = 0;
    } else if (step < -0.05) {
      out[p] = 0;
    }
    prev = zi;
  }
}

/**
 * The invalid pixels of a static depth image, per row (CSR: `pixels[rowStart[j] .. rowStart[j+1])`),
 * so frames re-scan only the rows something moving was drawn on.
 */
export function staticInvalid(z: Float32Array, height: number): { pixels: Int32Array; rowStart: Int32Array } {
  const probe = new Uint16Array(z.length).fill(1);
  const pixels: number[] = [];
  const rowStart = new Int32Array(height + 1);
  for (let j = 0; j < height; j++) {
    invalidateRow(z, probe, j);
    for (let p = j * W; p < (j + 1) * W; p++) if (probe[p] === 0) pixels.push(p);
    rowStart[j + 1] = pixels.length;
  }
  return { pixels: Int32Array.from(pixels), rowStart };
}
