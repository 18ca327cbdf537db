import { HEIGHT, WIDTH } from './camera-model.ts';
import { Stream } from './hash.ts';
import { Rng } from './rng.ts';

/**
 * Precomputed sensor-noise tables, shared by all worlds. A frame reads a window starting at a
 * per-frame random offset (hashed from seed and capture time), so frames get fresh-looking noise
 * without one RNG call per pixel. Tables hold a frame plus {@link NOISE_SPAN} spare entries.
 */
export const NOISE_SPAN = 1 << 16;
/** Probability of a random depth dropout per pixel. */
export const DEPTH_DROPOUT_P = 0.004;

let camera: Uint32Array | undefined;
let depth: Float32Array | undefined;

/**
 * Camera read + shot noise, N(0, 2.5²) DN rounded, stored as bytes biased by +128 and read four at
 * a time (one 32-bit word per 4 RGB bytes, see RgbdRenderer). Offsets are in words.
 */
export function cameraNoise(): Uint32Array {
  if (!camera) {
    const rng = new Rng(0, Stream.noiseTable, 2);
    const bytes = Uint8Array.from({ length: WIDTH * HEIGHT * 3 + NOISE_SPAN * 4 }, () => 128 + Math.max(-127, Math.min(127, Math.round(2.5 * rng.normal()))));
    camera = new Uint32Array(bytes.buffer);
  }
  return camera;
}

/**
 * Standard normal for depth noise (scaled per pixel by σ(z)), with NaN at random dropout
 * positions: `(z + σ·NaN) | 0` is 0, the Z16 "no data" value, without a branch per pixel.
 */
export function depthNoise(): Float32Array {
  if (!depth) {
    const rng = new Rng(0, Stream.noiseTable, 3);
    depth = Float32Array.from({ length: WIDTH * HEIGHT + NOISE_SPAN }, () => {
      const g = rng.normal();
      return rng.next() < DEPTH_DROPOUT_P ? NaN : g;
    });
  }
  return depth;
}
