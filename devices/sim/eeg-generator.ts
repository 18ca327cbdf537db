import type { TimestampNs } from '../../src/core/index.ts';
import { Stream } from './hash.ts';
import { Rng } from './rng.ts';
import {
  CHANNELS, EEG_RATE_HZ, FULL_SCALE_UV, LSB_UV, blinkInSlot, blinkShape, clenchEnvelope, clenchInSlot, clenchRate, clenchSlot,
  type EegEvent, type EegProfile,
} from './eeg-profile.ts';
import { T_REF_NS, simSeconds } from './sim-time.ts';

export interface EegGeneratorOptions {
  seed: number;
  profile: EegProfile;
  lineHz: 50 | 60;
  /** Host-timeline capture time of device sample n (the EEG clock domain). */
  sampleTime: (n: number) => TimestampNs;
  /** Operator engagement at host time t: 1 engaged, 0 resting, in between while transitioning. */
  engagement: (t: TimestampNs) => number;
  /** Device sample index of the first sample generated. */
  startIndex: number;
}

/** Corner frequencies of the 1/f background's one-pole sections (×4 apart, 1/√f weights). */
const PINK_HZ = [0.5, 2, 8, 32];
const PINK_W = PINK_HZ.map((f) => 1 / Math.sqrt(f));
/**
 * The unit-weight pink sum has 0.158 rms in 1–30 Hz (measured on 10 min); scaled to ~10 µV rms,
 * eyes-open scalp EEG, per unit of the profile's `backgroundUv`.
 */
const PINK_GAIN = 10 / 0.158;
const ALPHA_POLE_R = 0.975;
/** Engagement is evaluated every few samples and interpolated (it changes over ≥ 0.8 s). */
const ENGAGEMENT_STEP = 5;
const GAUSS_BITS = 16;
// Module-local copies (transpiling loaders turn imported constants into getters; this is hot).
const NC = CHANNELS.length;
const LSB = LSB_UV;
const FS = FULL_SCALE_UV;

let gaussTable: Float64Array | undefined;

/** 65 536 standard normals, indexed by the generator's 16 top bits (one cheap draw per normal). */
function gauss(): Float64Array {
  gaussTable ??= Float64Array.from({ length: 1 << GAUSS_BITS }, ((r) => () => r.normal())(new Rng(0, Stream.noiseTable, 5)));
  return gaussTable;
}

/**
 * The one stateful generator of the simulator: coloured noise (1/f background, alpha rhythm,
 * EMG carrier) needs filter state. Everything else — DC offsets and drift, line pickup, blinks,
 * clenches, the operator's state — is a pure function of (seed, t) evaluated per sample. The
 * slowest filter state decays with τ ≈ 0.32 s, so ~3 s of warm-up makes the output stationary.
 * Output is channel-major µV, quantised to the Cyton LSB and clipped at its full scale.
 */
export class EegGenerator {
  readonly #o: EegGeneratorOptions;
  readonly #rng: Rng;
  #n: number;
  readonly #pink = new Float64Array(NC * PINK_HZ.length);
  readonly #pinkPole = PINK_HZ.map((f) => Math.exp((-2 * Math.PI * f) / EEG_RATE_HZ));
  readonly #alpha = new Float64Array((NC + 1) * 2);
  readonly #a1: number;
  readonly #a2: number;
  readonly #alphaNorm: number;
  readonly #emgPrev = new Float64Array(NC);
  /** cos/sin of each channel's line phase φ (first 8) and of 2φ for the 3rd harmonic (next 8). */
  readonly #lineCos: Float64Array;
  readonly #lineSin: Float64Array;
  /** Events of the current and previous slot (blinks: 1 s slots; clenches: 3 s slots). */
  #blinks: SlotCache = { slot: NaN, prev: undefined, cur: undefined };
  #clenches: SlotCache = { slot: NaN, prev: undefined, cur: undefined };

  constructor(options: EegGeneratorOptions) {
    this.#o = options;
    this.#n = options.startIndex;
    this.#rng = new Rng(options.seed, Stream.eegNoise, options.startIndex | 0, Math.floor(options.startIndex / 4294967296));
    const w = (2 * Math.PI * options.profile.alphaHz) / EEG_RATE_HZ;
    this.#a1 = 2 * ALPHA_POLE_R * Math.cos(w);
    this.#a2 = -ALPHA_POLE_R * ALPHA_POLE_R;
    // Stationary variance of the AR(2) resonator driven by unit white noise.
    const v = (1 - this.#a2) / ((1 + this.#a2) * ((1 - this.#a2) ** 2 - this.#a1 ** 2));
    this.#alphaNorm = 1 / Math.sqrt(v);
    const ph = (i: number): number => 2 * Math.PI * (i < NC ? 1 : 2) * (options.profile.linePhase[i % NC] as number);
    this.#lineCos = Float64Array.from({ length: 2 * NC }, (_, i) => Math.cos(ph(i)));
    this.#lineSin = Float64Array.from({ length: 2 * NC }, (_, i) => Math.sin(ph(i)));
  }

  /** Index of the next sample to be generated. */
  get index(): number {
    return this.#n;
  }

  /** Generates `count` samples of every channel into `out` (channel-major, length 8·count). */
  next(count: number, out: Float32Array = new Float32Array(NC * count)): Float32Array {
    const { profile: p, lineHz } = this.#o;
    const nc = NC;
    const np = PINK_HZ.length;
    const rng = this.#rng;
    const G = gauss();
    const shift = 32 - GAUSS_BITS;
    // Sample times as float seconds since T_REF: exact at the call's first sample, then by the
    // device's host-timeline period (float error over a call is far below a nanosecond).
    const s0 = simSeconds(this.#o.sampleTime(this.#n));
    const dt = count > 1 ? (simSeconds(this.#o.sampleTime(this.#n + count - 1)) - s0) / (count - 1) : 0;
    let eA = this.#o.engagement(toNs(s0));
    let eB = eA;
    for (let i = 0; i < count; i++, this.#n++) {
      const s = s0 + i * dt;
      const fr = s - Math.floor(s); // T_REF is a whole second, so this is the fraction of the absolute second
      const phaseStep = i % ENGAGEMENT_STEP;
      if (phaseStep === 0) {
        if (i > 0) eA = eB;
        eB = this.#o.engagement(toNs(s + ENGAGEMENT_STEP * dt));
      }
      const e = eA + ((eB - eA) * phaseStep) / ENGAGEMENT_STEP;
      const alphaGain = 0.25 + 0.75 * (1 - e);
      const shared = this.#resonate(nc, G[rng.nextU32() >>> shift] as number);
      const blink = this.#blinkAt(s);
      const emg = this.#clenchAt(s);
      const mod = 1 + 0.15 * Math.sin(2 * Math.PI * (s / 23));
      // Line pickup per channel by angle addition: sin(x + φ_c) from one sin/cos pair per sample.
      const x1 = 2 * Math.PI * lineHz * fr;
      const s1 = Math.sin(x1);
      const c1 = Math.cos(x1);
      const s3 = Math.sin(3 * x1);
      const c3 = Math.cos(3 * x1);
      for (let c = 0; c < nc; c++) {
        let pink = 0;
        for (let k = 0; k < np; k++) {
          const idx = c * np + k;
          const pole = this.#pinkPole[k] as number;
          const st = pole * (this.#pink[idx] as number) + (1 - pole) * (G[rng.nextU32() >>> shift] as number);
          this.#pink[idx] = st;
          pink += st * (PINK_W[k] as number);
        }
        const white = G[rng.nextU32() >>> shift] as number;
        const emgCarrier = (white - (this.#emgPrev[c] as number)) / Math.SQRT2;
        this.#emgPrev[c] = white;
        const line =
          (p.lineUv[c] as number) * Math.SQRT2 * mod *
          (s1 * (this.#lineCos[c] as number) + c1 * (this.#lineSin[c] as number) +
            0.08 * (s3 * (this.#lineCos[nc + c] as number) + c3 * (this.#lineSin[nc + c] as number)));
        const dc = (p.dcUv[c] as number) + (p.driftUv[c] as number) * Math.sin(2 * Math.PI * (s / (p.driftPeriodS[c] as number) + (p.driftPhase[c] as number)));
        const alpha = (p.alphaUv[c] as number) * alphaGain * (0.8 * shared + 0.6 * this.#resonate(c, G[rng.nextU32() >>> shift] as number));
        const v =
          dc + line + PINK_GAIN * (p.backgroundUv[c] as number) * pink + alpha +
          blink * (p.blinkW[c] as number) + emg * (p.emgW[c] as number) * emgCarrier + 0.8 * white;
        const q = Math.round(v / LSB) * LSB;
        out[c * count + i] = q < -FS ? -FS : q > FS ? FS : q;
      }
    }
    return out;
  }

  /** One step of resonator r (unit-variance narrow-band noise at the alpha frequency). */
  #resonate(r: number, w: number): number {
    const y1 = this.#alpha[2 * r] as number;
    const y2 = this.#alpha[2 * r + 1] as number;
    const y = this.#a1 * y1 + this.#a2 * y2 + w;
    this.#alpha[2 * r] = y;
    this.#alpha[2 * r + 1] = y1;
    return y * this.#alphaNorm;
  }

  #blinkAt(s: number): number {
    const k = Math.floor(s);
    const c = advance(this.#blinks, k, (j) => {
      const b = blinkInSlot(this.#o.seed, this.#o.profile, j);
      return b && this.#o.engagement(toNs(b.onset)) > 0.5 ? b : undefined;
    });
    return (c.prev ? c.prev.amplitudeUv * blinkShape(s - c.prev.onset, c.prev.duration) : 0) +
      (c.cur ? c.cur.amplitudeUv * blinkShape(s - c.cur.onset, c.cur.duration) : 0);
  }

  #clenchAt(s: number): number {
    const k = clenchSlot(s);
    const c = advance(this.#clenches, k, (j) => {
      const ev = clenchInSlot(this.#o.seed, j);
      return ev.u < clenchRate(this.#o.engagement(toNs(ev.onset))) ? ev : undefined;
    });
    return (c.prev ? c.prev.amplitudeUv * clenchEnvelope(s - c.prev.onset, c.prev.duration) : 0) +
      (c.cur ? c.cur.amplitudeUv * clenchEnvelope(s - c.cur.onset, c.cur.duration) : 0);
  }
}

interface SlotCache {
  slot: number;
  prev: EegEvent | undefined;
  cur: EegEvent | undefined;
}

/** Moves a two-slot event cache to slot k (events can spill over from the previous slot). */
function advance(c: SlotCache, k: number, make: (slot: number) => EegEvent | undefined): SlotCache {
  if (c.slot === k) return c;
  const prev = c.slot === k - 1 ? c.cur : make(k - 1);
  c.prev = prev;
  c.cur = make(k);
  c.slot = k;
  return c;
}

function toNs(simS: number): TimestampNs {
  return T_REF_NS + BigInt(Math.round(simS * 1e9));
}
