import { Stream, hi32, uniform } from './hash.ts';
import { Rng } from './rng.ts';

/**
 * The per-world EEG "subject": montage weights, DC offsets, line pickup, alpha frequency, blink
 * and jaw-clench habits, plus the pure event schedule (blinks and clenches are placed in absolute
 * time slots hashed from the seed, so they need no generator state and no warm-up).
 *
 * Magnitudes follow the real Cyton recording in shared/realdata/openbci-gui (OpenBCI GUI v6 sample,
 * blinks / jaw clench / eyes-closed alpha): DC offsets of −25 000…+62 000 µV drifting by hundreds
 * of µV per 10 s, 60 Hz mains of 80–260 µV rms there (50 Hz here by default), 1–40 Hz activity of
 * ~12–15 µV rms at rest, blinks of ~150–250 µV on Fp1/Fp2, jaw clenches of several hundred µV
 * peak-to-peak, eyes-closed alpha a few times the eyes-open power on O1/O2.
 */
export const CHANNELS = ['Fp1', 'Fp2', 'C3', 'C4', 'T7', 'T8', 'O1', 'O2'] as const;
export const EEG_RATE_HZ = 250;
/** Cyton at gain 24: 4.5 V / 24 / (2^23 − 1) per count (sensor-protocols.md §1.3). */
export const LSB_UV = (4.5 / 24 / 8388607) * 1e6;
export const FULL_SCALE_UV = 187500;

const ALPHA_W = [0.2, 0.2, 0.45, 0.45, 0.3, 0.3, 1, 1];
const BLINK_W = [1, 0.95, 0.15, 0.15, 0.08, 0.08, 0.02, 0.02];
const EMG_W = [0.3, 0.3, 0.25, 0.25, 1, 1, 0.15, 0.15];

export interface EegProfile {
  alphaHz: number;
  /** µV rms of the alpha rhythm per channel when resting with eyes closed. */
  alphaUv: Float64Array;
  backgroundUv: Float64Array;
  lineUv: Float64Array;
  linePhase: Float64Array;
  dcUv: Float64Array;
  driftUv: Float64Array;
  driftPeriodS: Float64Array;
  driftPhase: Float64Array;
  blinksPerMin: number;
  blinkW: readonly number[];
  emgW: readonly number[];
}

export function eegProfile(seed: number): EegProfile {
  const rng = new Rng(seed, Stream.eegWorld);
  const n = CHANNELS.length;
  const arr = (f: (c: number) => number): Float64Array => Float64Array.from({ length: n }, (_, c) => f(c));
  const alphaScale = rng.range(14, 20);
  const bgScale = rng.range(0.85, 1.15);
  const lineBase = rng.range(40, 180);
  return {
    alphaHz: rng.range(9, 11),
    alphaUv: arr((c) => alphaScale * (ALPHA_W[c] ?? 0) * rng.range(0.85, 1.15)),
    backgroundUv: arr(() => bgScale * rng.range(0.9, 1.1)),
    lineUv: arr(() => lineBase * rng.range(0.6, 1.4)),
    linePhase: arr(() => rng.next()),
    dcUv: arr(() => Math.max(-90000, Math.min(90000, 30000 * rng.normal()))),
    driftUv: arr(() => rng.range(1000, 6000)),
    driftPeriodS: arr(() => rng.range(120, 600)),
    driftPhase: arr(() => rng.next()),
    blinksPerMin: rng.range(15, 25),
    blinkW: BLINK_W,
    emgW: EMG_W,
  };
}

/** A blink or jaw clench placed in absolute time (seconds since T_REF). */
export interface EegEvent {
  onset: number;
  duration: number;
  amplitudeUv: number;
}

const CLENCH_SLOT_S = 3;

/**
 * Candidate blink in the 1 s slot k, or undefined. Whether it happens also depends on the
 * operator (engaged only), which the caller checks at `onset`.
 */
export function blinkInSlot(seed: number, profile: EegProfile, k: number): EegEvent | undefined {
  const u = (i: number): number => uniform(seed, Stream.blink, k, hi32(k), i);
  if (u(0) >= profile.blinksPerMin / 60) return undefined;
  return { onset: k + 0.9 * u(1), duration: 0.32 + 0.1 * u(2), amplitudeUv: 90 + 140 * u(3) };
}

/** Candidate jaw clench in 3 s slot k: `u` is compared by the caller with a state-dependent rate. */
export function clenchInSlot(seed: number, k: number): EegEvent & { u: number } {
  const u = (i: number): number => uniform(seed, Stream.clench, k, hi32(k), i);
  return { u: u(0), onset: k * CLENCH_SLOT_S + 2 * u(1), duration: 0.5 + 0.8 * u(2), amplitudeUv: 35 + 90 * u(3) };
}

export function clenchSlot(s: number): number {
  return Math.floor(s / CLENCH_SLOT_S);
}

/** Probability of a clench per 3 s slot: ~1 per 12 s engaged, ~1 per 100 s resting. */
export function clenchRate(engagement: number): number {
  return 0.03 + (0.25 - 0.03) * engagement;
}

/** Blink waveform (µV per µV of amplitude) at `dt` seconds after onset: fast rise, slower fall. */
export function blinkShape(dt: number, duration: number): number {
  if (dt <= 0 || dt >= duration) return 0;
  const rise = 0.3 * duration;
  return dt < rise ? 0.5 - 0.5 * Math.cos((Math.PI * dt) / rise) : 0.5 + 0.5 * Math.cos((Math.PI * (dt - rise)) / (duration - rise));
}

/** EMG envelope: 30 ms ramps at both ends. */
export function clenchEnvelope(dt: number, duration: number): number {
  if (dt <= 0 || dt >= duration) return 0;
  return Math.min(1, dt / 0.03, (duration - dt) / 0.03);
}
