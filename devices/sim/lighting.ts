import type { TimestampNs } from '../../src/core/index.ts';
import { HEIGHT, ROW_TIME_S } from './camera-model.ts';
import { Stream, uniform } from './hash.ts';
import { fracSecond, simSeconds } from './sim-time.ts';

/**
 * Cell lighting as the camera sees it: a per-world base level, slow daylight-like drift, a bank of
 * lights that is sometimes switched off for a while (30 s slots), and mains flicker at twice the
 * line frequency, which the rolling shutter turns into horizontal bands. All pure functions of
 * (seed, t) and independent of both factors.
 */
export function ambientAt(seed: number, t: TimestampNs): number {
  const s = simSeconds(t);
  const u = (i: number, a = 0): number => uniform(seed, Stream.lighting, i, a);
  let g = 0.85 + 0.25 * u(0);
  g *= 1 + 0.08 * Math.sin(2 * Math.PI * (s / 41 + u(1))) + 0.05 * Math.sin(2 * Math.PI * (s / 17 + u(2)));
  const slot = Math.floor(s / 30);
  for (const j of [slot - 1, slot]) {
    if (uniform(seed, Stream.lighting, 100, j) >= 0.25) continue;
    const off = j * 30 + 20 * uniform(seed, Stream.lighting, 101, j);
    if (s >= off && s < off + 6 + 10 * uniform(seed, Stream.lighting, 102, j)) g *= 0.78;
  }
  return g;
}

/** Per-row gain (ambient × flicker) of a frame whose exposure starts at `t`, into `out`. */
export function rowGains(seed: number, t: TimestampNs, lineHz: number, out: Float32Array): Float32Array {
  const g = ambientAt(seed, t);
  const phase0 = uniform(seed, Stream.lighting, 3);
  const f0 = fracSecond(t);
  for (let j = 0, h = HEIGHT, rt = ROW_TIME_S; j < h; j++) {
    // Integer Hz, so only the fractional second matters for the phase (keeps float precision).
    const ph = 2 * lineHz * (f0 + j * rt) + phase0;
    out[j] = g * (1 + 0.03 * Math.sin(2 * Math.PI * ph));
  }
  return out;
}
