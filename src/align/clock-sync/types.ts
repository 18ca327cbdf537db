import type { TimestampNs } from '../../core/time.ts';

export interface ClockSyncOptions {
  /** Device time the fit looks back over (default 30 s): long enough to average, short enough to follow a warming crystal. */
  windowNs?: number;
  /** One lower-envelope point per bucket of device time (default 100 ms): its earliest arrival. */
  bucketNs?: number;
  /**
   * Constant transport latency subtracted from the envelope (default 0). The envelope finds the
   * *fastest* delivery; the time of validity is that minus the fixed part of the delay, which only
   * the device's documentation or a loop-back measurement can tell (LSL says the same).
   */
  latencyNs?: number;
  /** Smallest offset step treated as a clock jump (default 5 ms). */
  minJumpNs?: number;
  /** A jump must also exceed this many times the envelope noise (default 8). */
  jumpNoiseFactor?: number;
  /**
   * Host time a *late* step must persist before it is believed (default 250 ms). A transport
   * stall also makes arrivals late, but the burst that ends it comes back to the envelope; a host
   * clock step forward does not. Early steps (arrivals before the envelope) cannot be delay and
   * are believed after two points.
   */
  confirmNs?: number;
  /**
   * Device time needed in a segment before its slope is fitted freely (default 0.5 s); before
   * that the previous drift is kept. Early is fine: the slope error shrinks as 1/span while the
   * distance it is extrapolated over grows as span/4, so the mapped-time error stays ~noise/2.
   */
  minSpanNs?: number;
  /** Span of data (this segment's plus the drift kept from before a jump) after which the estimate is reported `converged` (default 15 s; and at least 2 s and 50 observations of this segment). */
  convergedSpanNs?: number;
  /** Late arrivals needed (besides `confirmNs`) before a late step is believed (default 5). */
  confirmPoints?: number;
  /** Largest drift believed, ppm (default 5000; real Cyton boards run ~1300 ppm fast). */
  maxDriftPpm?: number;
}

/** A discontinuity of the device→host mapping. */
export interface ClockEvent {
  /** `reset`: the device clock went back or was declared discontinuous; `jump`: the offset stepped (host clock step, device jump). */
  kind: 'reset' | 'jump';
  /** Index (0-based, in observation order) of the first observation after the discontinuity. */
  index: number;
  /** Index of the observation at which it was detected. */
  detectedIndex: number;
  arrivalNs: TimestampNs;
  detectedArrivalNs: TimestampNs;
  /** Offset change (new minus old), ns, as first measured. */
  stepNs: number;
}

export interface ClockEstimate {
  /** host − device at the latest observation (latency removed), ns. */
  offsetNs: bigint;
  /** Device clock rate relative to the host, ppm (> 0: the device runs fast). */
  driftPpm: number;
  /**
   * Scale of the error of a mapped time at the latest observation, ns: how sharply the floor is
   * pinned (gap between the two lowest envelope points near now) plus the slope error carried
   * over the distance from where the line is pinned. A scale, not a confidence bound.
   */
  uncertaintyNs: number;
  /** Number of segments so far (1 + resets + jumps). */
  segment: number;
  /** The segment has spanned `convergedSpanNs`: slope and offset are settled. */
  converged: boolean;
  observations: number;
}

export interface Observation {
  /** Dejittered time of validity on the host timeline. */
  t: TimestampNs;
  /** Set when this observation revealed a discontinuity. */
  event?: ClockEvent;
}
