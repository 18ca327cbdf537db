import type { TimestampNs } from '../../core/time.ts';
import { bridgeSlope, lineWithSlope, lowerSlope, type Line } from './lower-envelope.ts';
import type { ClockEstimate, ClockEvent, ClockSyncOptions, Observation } from './types.ts';

export type { ClockEstimate, ClockEvent, ClockSyncOptions, Observation } from './types.ts';

interface Pt {
  x: number;
  y: number;
  h: bigint;
  d: bigint | number;
  index: number;
}

/**
 * Online clock synchronisation for one clock domain: from (device time, host arrival) pairs it
 * estimates offset and drift on the lower envelope of the arrivals (robust to the one-sided,
 * bursty delay of USB, serial and networks), returns dejittered host times, detects clock resets
 * and jumps and re-converges after them (keeping the drift, which a host step does not change),
 * and reports an uncertainty. Work per observation is O(1) except a refit over the ~window/bucket
 * envelope points when the envelope changes.
 */
export class ClockSync {
  readonly #o: Required<ClockSyncOptions>;
  readonly #events: ClockEvent[] = [];
  #count = 0;
  /** Observations in the current segment. */
  #segmentCount = 0;
  #segment = 0;
  // Segment state
  #devOrigin: bigint | number = 0n;
  #hostOrigin = 0n;
  #bx: number[] = [];
  #by: number[] = [];
  #openBucket = -Infinity;
  #lastX = -Infinity;
  /** Device time of the latest observation (held-aside ones included): where estimate() speaks. */
  #latestX = 0;
  #firstX = 0;
  #line: Line | undefined;
  #prior = 0;
  /** Span of the data behind `#prior` (0: no prior, the nominal rate is assumed). */
  #priorSpan = 0;
  /** Scale of the error of the prior slope, and of the current one (for `uncertaintyNs`). */
  #priorSigma = 1e-3;
  #sigma = 1e-3;
  #dirty = false;
  /** Slope fitted over the closed buckets (undefined: refit at the next use). */
  #slope: number | undefined;
  /** The last slope fitted in this segment (where the next bridge iteration starts). */
  #lastFitted: number | undefined;
  #closedOffset = Infinity;
  #noise = 0;
  /** Gap between the two lowest recent envelope points: how sharply the floor is pinned. */
  #pin = 0;
  #negative: Pt[] = [];
  #late: Pt[] = [];
  #started = false;

  constructor(options: ClockSyncOptions = {}) {
    this.#o = {
      windowNs: options.windowNs ?? 30e9,
      bucketNs: options.bucketNs ?? 100e6,
      latencyNs: options.latencyNs ?? 0,
      minJumpNs: options.minJumpNs ?? 5e6,
      jumpNoiseFactor: options.jumpNoiseFactor ?? 8,
      confirmNs: options.confirmNs ?? 250e6,
      minSpanNs: options.minSpanNs ?? 0.5e9,
      convergedSpanNs: options.convergedSpanNs ?? 15e9,
      confirmPoints: options.confirmPoints ?? 5,
      maxDriftPpm: options.maxDriftPpm ?? 5000,
    };
    if (!(this.#o.bucketNs > 0) || !(this.#o.windowNs >= this.#o.bucketNs)) throw new RangeError('need 0 < bucket <= window');
  }

  /**
   * One observation: `deviceT` in the device's clock (ns; a number is fine up to 2^53), `arrivalNs`
   * on the host timeline. `discontinuity` declares a reset the caller knows of (counter restart).
   */
  observe(deviceT: bigint | number, arrivalNs: TimestampNs, hint: { discontinuity?: boolean } = {}): Observation {
    const index = this.#count++;
    if (!this.#started) {
      this.#startSegment({ x: 0, y: 0, h: arrivalNs, d: deviceT, index }, false);
      return { t: this.#map(0) };
    }
    let p = this.#point(deviceT, arrivalNs, index);
    this.#latestX = p.x;
    let event: ClockEvent | undefined;
    if (hint.discontinuity || p.x < this.#lastX - this.#o.bucketNs) {
      event = this.#newEvent('reset', index, index, arrivalNs, arrivalNs, p.y - this.#predict(p.x));
      this.#startSegment({ ...p, x: 0, y: 0 }, true);
      return { t: this.#map(0), event };
    }
    const r = p.y - this.#predict(p.x);
    const thr = Math.max(this.#o.minJumpNs, this.#o.jumpNoiseFactor * this.#noise);
    // A young segment's envelope may still sit on a slow first arrival: points below it are
    // the envelope settling, not a step. Detection starts once it has some history.
    const settled = this.#segmentCount >= 8 && p.x - this.#firstX >= this.#o.minSpanNs;
    if (!settled) {
      this.#segmentCount++;
      this.#add(p);
      return { t: this.#map(p.x) };
    }
    if (r < -thr) {
      // Earlier than the fastest delivery so far: not delay. Two in a row is a step.
      this.#negative.push(p);
      if (this.#negative.length < 2) return { t: this.#map(p.x) };
      const first = this.#negative[0] as Pt;
      event = this.#newEvent('jump', first.index, index, first.h, arrivalNs, r);
      this.#reseed(this.#negative);
      this.#negative = [];
      this.#late = [];
      p = this.#point(deviceT, arrivalNs, index);
      this.#latestX = p.x;
      return { t: this.#map(p.x), event };
    }
    this.#negative = [];
    if (r > thr) {
      // Held aside (not in the envelope) until believed or cleared.
      this.#late.push(p);
      const first = this.#late[0] as Pt;
      if (this.#late.length >= this.#o.confirmPoints && Number(arrivalNs - first.h) >= this.#o.confirmNs) {
        let step = Infinity;
        for (const q of this.#late) step = Math.min(step, q.y - this.#predict(q.x));
        event = this.#newEvent('jump', first.index, index, first.h, arrivalNs, step);
        this.#reseed(this.#late);
        this.#late = [];
        p = this.#point(deviceT, arrivalNs, index);
        this.#latestX = p.x;
        return { t: this.#map(p.x), event };
      }
      return { t: this.#map(p.x) };
    }
    // Back on the envelope: the late ones were only delayed (a stall); they join the fit.
    for (const q of this.#late) this.#add(q);
    this.#segmentCount += this.#late.length + 1;
    this.#late = [];
    this.#add(p);
    return { t: this.#map(p.x) };
  }

  /** Maps a device time to the host timeline with the current estimate. */
  map(deviceT: bigint | number): TimestampNs {
    return this.#map(this.#rel(deviceT));
  }

  estimate(): ClockEstimate {
    this.#refit();
    const line = this.#line ?? { a: 0, b: this.#prior };
    const x = this.#latestX;
    const span = (Number.isFinite(this.#lastX) ? this.#lastX : 0) - this.#firstX;
    // Converged: the slope rests on enough time, and the offset on enough of this segment's points
    // (with exponential delays the envelope's offset error falls as mean delay / points).
    const converged = span >= Math.min(2e9, this.#o.convergedSpanNs) && this.#segmentCount >= 50 && this.#effectiveSpan() >= this.#o.convergedSpanNs;
    const anchor = this.#anchor();
    const slopeErr = span >= this.#o.minSpanNs ? this.#sigma : this.#priorSigma;
    const devOrigin = typeof this.#devOrigin === 'bigint' ? this.#devOrigin : BigInt(Math.round(this.#devOrigin));
    return {
      offsetNs: this.#hostOrigin - devOrigin + BigInt(Math.round(line.a + line.b * x - this.#o.latencyNs)),
      driftPpm: (1 / (1 + line.b) - 1) * 1e6,
      uncertaintyNs: this.#pin + slopeErr * Math.abs(x - anchor),
      segment: this.#segment,
      converged,
      observations: this.#count,
    };
  }

  get events(): readonly ClockEvent[] {
    return this.#events;
  }

  #rel(d: bigint | number): number {
    if (typeof d === 'bigint') return Number(d - (typeof this.#devOrigin === 'bigint' ? this.#devOrigin : BigInt(Math.round(this.#devOrigin))));
    return d - Number(this.#devOrigin);
  }

  #point(d: bigint | number, h: bigint, index: number): Pt {
    const x = this.#rel(d);
    return { x, y: Number(h - this.#hostOrigin) - x, h, d, index };
  }

  #predict(x: number): number {
    this.#refit();
    const line = this.#line;
    return line ? line.a + line.b * x : 0;
  }

  #map(x: number): TimestampNs {
    return this.#hostOrigin + BigInt(Math.round(x + this.#predict(x) - this.#o.latencyNs));
  }

  #newEvent(kind: ClockEvent['kind'], index: number, detectedIndex: number, at: bigint, detectedAt: bigint, stepNs: number): ClockEvent {
    const e: ClockEvent = { kind, index, detectedIndex, arrivalNs: at, detectedArrivalNs: detectedAt, stepNs };
    this.#events.push(e);
    return e;
  }

  /** A new segment whose origin is `p` (device and host), keeping the drift as a prior. */
  #startSegment(p: Pt, keepDrift: boolean): void {
    if (keepDrift && this.#line) {
      this.#prior = this.#line.b;
      this.#priorSpan = Math.min(this.#o.windowNs, this.#effectiveSpan());
      this.#priorSigma = this.#sigma;
    }
    this.#started = true;
    this.#segment++;
    this.#devOrigin = p.d;
    this.#hostOrigin = p.h;
    this.#bx = [];
    this.#by = [];
    this.#openBucket = -Infinity;
    this.#lastX = -Infinity;
    this.#latestX = 0;
    this.#firstX = 0;
    this.#line = undefined;
    this.#slope = undefined;
    this.#lastFitted = undefined;
    this.#noise = 0;
    this.#pin = 0;
    this.#negative = [];
    this.#late = [];
    this.#segmentCount = 1;
    this.#add({ ...p, x: 0, y: 0 });
  }

  /** Restarts at the first of `pts` and replays them into the new segment. */
  #reseed(pts: readonly Pt[]): void {
    const first = pts[0] as Pt;
    this.#startSegment({ ...first, x: 0, y: 0 }, true);
    for (const q of pts.slice(1)) {
      this.#add(this.#point(q.d, q.h, q.index));
      this.#segmentCount++;
    }
  }

  #add(p: Pt): void {
    if (p.x > this.#lastX) this.#lastX = p.x;
    const bucket = Math.floor(p.x / this.#o.bucketNs);
    const n = this.#bx.length;
    if (n === 0 || bucket > this.#openBucket) {
      this.#bx.push(p.x);
      this.#by.push(p.y);
      this.#openBucket = bucket;
      this.#dirty = true;
      this.#slope = undefined;
      // Slide the window: envelope points older than the window go.
      const oldest = this.#lastX - this.#o.windowNs;
      let drop = 0;
      while (drop < this.#bx.length - 2 && (this.#bx[drop] as number) < oldest) drop++;
      if (drop > 0) {
        this.#bx.splice(0, drop);
        this.#by.splice(0, drop);
      }
      this.#firstX = this.#bx[0] as number;
    } else if (p.y < (this.#by[n - 1] as number)) {
      this.#bx[n - 1] = p.x;
      this.#by[n - 1] = p.y;
      this.#dirty = true;
    }
  }

  /** Span of the data the slope rests on: this segment's, plus the prior's. */
  #effectiveSpan(): number {
    const last = Number.isFinite(this.#lastX) ? this.#lastX : 0;
    const span = Math.max(0, last - this.#firstX);
    return Math.sqrt(span * span + this.#priorSpan * this.#priorSpan);
  }

  /** First envelope point of the recent half of the window. */
  #recentFrom(): number {
    const xs = this.#bx;
    const last = xs[xs.length - 1] ?? 0;
    const half = last - 0.5 * (last - this.#firstX);
    let i = 0;
    while (i < xs.length - 1 && (xs[i] as number) < half) i++;
    return i;
  }

  /** Where the line is anchored: a quarter of the span back from the newest point. */
  #anchor(): number {
    const last = this.#bx[this.#bx.length - 1] ?? 0;
    return Math.max(this.#firstX, last - 0.25 * (last - this.#firstX));
  }

  #refit(): void {
    if (!this.#dirty) return;
    this.#dirty = false;
    const xs = this.#bx;
    const ys = this.#by;
    const n = xs.length;
    if (n === 0) return;
    const span = (xs[n - 1] as number) - (xs[0] as number);
    if (n < 3 || span < this.#o.minSpanNs) {
      this.#line = lineWithSlope(xs, ys, this.#prior, n);
      this.#slope = undefined;
      return;
    }
    if (this.#slope === undefined) {
      // The slope is refitted when a bucket closes, over the closed ones only: the open bucket's
      // minimum is not settled yet (its first arrival may be the slow half of a burst).
      const m = n - 1;
      const maxSlope = this.#o.maxDriftPpm * 1e-6;
      // The bridge iteration needs a start near the answer: the last slope, else a robust LS one.
      let fitted = bridgeSlope(xs, ys, m, this.#lastFitted ?? lowerSlope(xs, ys, m) ?? this.#prior);
      this.#lastFitted = fitted;
      if (Math.abs(fitted) > maxSlope) fitted = Math.sign(fitted) * maxSlope;
      const from = this.#recentFrom();
      const pin = pinOf(xs, ys, from, m, fitted);
      // The fitted slope rests on two minima two thirds of the span apart, each pinned to ~pin.
      const sigmaFit = (2 * Math.max(pin, 1e3)) / ((2 / 3) * span);
      // After a jump the drift from before is still good: blend it in, weighted by the square of
      // the spans behind each (slope variance falls at least as fast as 1/span²).
      const sp = this.#priorSpan;
      const w = sp > 0 ? (span * span) / (sp * sp + span * span) : 1;
      const b = w * fitted + (1 - w) * this.#prior;
      this.#sigma = sp > 0 ? Math.min(sigmaFit, this.#priorSigma * Math.sqrt(1 + (span * span) / (sp * sp))) : sigmaFit;
      this.#slope = b;
      this.#closedOffset = lineWithSlope(xs.slice(from, m), ys.slice(from, m), b)?.a ?? Infinity;
      const heights: number[] = [];
      for (let i = 0; i < m; i++) heights.push((ys[i] as number) - this.#closedOffset - b * (xs[i] as number));
      heights.sort((p, q) => p - q);
      // Envelope noise: median height of the closed buckets' minima above the floor.
      this.#noise = Math.max(0, heights[heights.length >> 1] as number);
      this.#pin = pinOf(xs, ys, from, m, b);
    }
    // Offset: the lowest line of that slope under the recent half of the window (the floor now).
    const b = this.#slope;
    const open = (ys[n - 1] as number) - b * (xs[n - 1] as number);
    this.#line = { a: Math.min(this.#closedOffset, open), b };
  }

}

/** Gap between the two lowest points (after removing slope b) in [from, to): how sharply the floor is pinned. */
function pinOf(xs: readonly number[], ys: readonly number[], from: number, to: number, b: number): number {
  let lo = Infinity;
  let next = Infinity;
  for (let i = from; i < to; i++) {
    const v = (ys[i] as number) - b * (xs[i] as number);
    if (v < lo) {
      next = lo;
      lo = v;
    } else if (v < next) next = v;
  }
  return Number.isFinite(next) ? next - lo : 0;
}
