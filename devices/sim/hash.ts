/**
 * Stateless, seedable hashing: every random choice of the simulated world that must be a pure
 * function of (seed, absolute time) goes through here, so no call order or hidden generator state
 * can couple one modality's randomness to another's. The mixer is MurmurHash3's 32-bit body and
 * finaliser (public domain, Austin Appleby), applied to a stream id and up to three 32-bit words.
 */

/** Independent hash streams. One id per kind of random decision; never reuse an id. */
export const Stream = {
  label: 1,
  changeOffset: 2,
  clock: 3,
  jitter: 4,
  dropout: 5,
  layout: 6,
  conveyor: 7,
  colleague: 8,
  agv: 9,
  lighting: 10,
  cameraNoise: 11,
  depthNoise: 12,
  lidarNoise: 13,
  robotCycle: 14,
  operatorSway: 15,
  eegWorld: 16,
  blink: 17,
  clench: 18,
  eegNoise: 19,
  noiseTable: 20,
  sampleTimes: 21,
} as const;

function mixK(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** 32-bit hash of (seed, stream, a, b, c). Integers are taken modulo 2^32. */
export function hash32(seed: number, stream: number, a = 0, b = 0, c = 0): number {
  let h = mixK(seed | 0, stream);
  h = mixK(h, a | 0);
  h = mixK(h, b | 0);
  h = mixK(h, c | 0);
  return fmix(h ^ 20);
}

/** Uniform in [0, 1) from (seed, stream, a, b, c). */
export function uniform(seed: number, stream: number, a = 0, b = 0, c = 0): number {
  return hash32(seed, stream, a, b, c) / 4294967296;
}

/** Splits an integer index that may exceed 2^32 (frame counters since 1970) into two words. */
export function hi32(n: number): number {
  return Math.floor(n / 4294967296) | 0;
}

/** Standard normal from two independent uniforms of (seed, stream, a, b) (Box–Muller). */
export function gaussian(seed: number, stream: number, a = 0, b = 0): number {
  const u1 = uniform(seed, stream, a, b, 1) + 1 / 8589934592;
  const u2 = uniform(seed, stream, a, b, 2);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}
