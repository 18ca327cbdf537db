import { bridgeSlope, lineWithSlope, lowerSlope, type Line } from '../clock-sync/lower-envelope.ts';

/**
 * Offline envelope fits over one segment (no clock discontinuity inside) of (x, y) points:
 * x = device time since the segment start, y = arrival − x (ns). Offline means every sample can
 * use the data on both sides of it, so there is no start-up transient and no extrapolation.
 */

export interface SegmentFit {
  /** One straight clock line for the whole segment (the reference the jitter is measured against). */
  line: Line;
  /** Dejittered y per point: the envelope of a window centred on it (follows a warming crystal). */
  dejittered: Float64Array;
}

export interface OfflineOptions {
  /** Envelope point per bucket (default 100 ms). */
  bucketNs: number;
  /** Width of the centred window (default 30 s). */
  windowNs: number;
  /** Fit once per block of this length and use it for the points in the block (default 1 s). */
  blockNs: number;
  maxSlope: number;
}

/** Envelope line of a set of bucket minima: bridge slope (started from the lower-third LS slope), lowest offset. */
export function envelopeLine(bx: readonly number[], by: readonly number[], fallbackSlope = 0, maxSlope = Infinity): Line | undefined {
  if (bx.length === 0) return undefined;
  let b = bx.length >= 3 ? bridgeSlope(bx, by, bx.length, lowerSlope(bx, by) ?? fallbackSlope) : fallbackSlope;
  if (Math.abs(b) > maxSlope) b = Math.sign(b) * maxSlope;
  return lineWithSlope(bx, by, b);
}

export function fitSegment(xs: Float64Array, ys: Float64Array, o: OfflineOptions): SegmentFit {
  const n = xs.length;
  // Bucket minima (x increases within a segment).
  const bx: number[] = [];
  const by: number[] = [];
  let open = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = xs[i] as number;
    const y = ys[i] as number;
    const k = Math.floor(x / o.bucketNs);
    if (k > open) {
      bx.push(x);
      by.push(y);
      open = k;
    } else if (y < (by[by.length - 1] as number)) {
      bx[bx.length - 1] = x;
      by[by.length - 1] = y;
    }
  }
  const line = envelopeLine(bx, by, 0, o.maxSlope) ?? { a: 0, b: 0 };
  const dejittered = new Float64Array(n);
  let lo = 0;
  let hi = 0;
  let blockStart = -Infinity;
  let local: Line = line;
  for (let i = 0; i < n; i++) {
    const x = xs[i] as number;
    if (x >= blockStart + o.blockNs) {
      blockStart = x;
      const centre = x + o.blockNs / 2;
      while (lo < bx.length && (bx[lo] as number) < centre - o.windowNs / 2) lo++;
      while (hi < bx.length && (bx[hi] as number) <= centre + o.windowNs / 2) hi++;
      local = envelopeLine(bx.slice(lo, hi), by.slice(lo, hi), line.b, o.maxSlope) ?? line;
    }
    dejittered[i] = local.a + local.b * x;
  }
  return { line, dejittered };
}
