/**
 * Second-order IIR sections (RBJ "Audio EQ Cookbook" bilinear designs, which for Butterworth Qs
 * equal scipy.signal.butter's sections) and zero-phase filtering of a cascade, equivalent to
 * scipy.signal.sosfiltfilt(sos, x, padtype='even', padlen=pad): mirror reflection at both ends,
 * steady-state initial conditions scaled by the first sample of each pass, forward then backward.
 * Mirror (not odd) reflection: odd reflection shifts the padding's mean to 2·x[0], and on a 1 s
 * window the 1 Hz high-pass turns that step into a transient as large as the signal.
 */
export interface Biquad {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

export function notch(f0: number, fs: number, q: number): Biquad {
  const w = (2 * Math.PI * f0) / fs;
  const alpha = Math.sin(w) / (2 * q);
  const a0 = 1 + alpha;
  const c = -2 * Math.cos(w);
  return { b0: 1 / a0, b1: c / a0, b2: 1 / a0, a1: c / a0, a2: (1 - alpha) / a0 };
}

function lowpass2(fc: number, fs: number, q: number): Biquad {
  const w = (2 * Math.PI * fc) / fs;
  const alpha = Math.sin(w) / (2 * q);
  const cw = Math.cos(w);
  const a0 = 1 + alpha;
  return { b0: (1 - cw) / 2 / a0, b1: (1 - cw) / a0, b2: (1 - cw) / 2 / a0, a1: (-2 * cw) / a0, a2: (1 - alpha) / a0 };
}

function highpass2(fc: number, fs: number, q: number): Biquad {
  const w = (2 * Math.PI * fc) / fs;
  const alpha = Math.sin(w) / (2 * q);
  const cw = Math.cos(w);
  const a0 = 1 + alpha;
  return { b0: (1 + cw) / 2 / a0, b1: -(1 + cw) / a0, b2: (1 + cw) / 2 / a0, a1: (-2 * cw) / a0, a2: (1 - alpha) / a0 };
}

/** Q of each second-order section of an even-order Butterworth filter. */
function butterworthQs(order: number): number[] {
  return Array.from({ length: order / 2 }, (_, k) => 1 / (2 * Math.cos(((2 * k + 1) * Math.PI) / (2 * order))));
}

export function butterworth(kind: 'lowpass' | 'highpass', fc: number, fs: number, order: 2 | 4 | 6 | 8): Biquad[] {
  return butterworthQs(order).map((q) => (kind === 'lowpass' ? lowpass2(fc, fs, q) : highpass2(fc, fs, q)));
}

/** |H(f)| of a cascade (for tests and documentation). */
export function magnitude(sections: readonly Biquad[], f: number, fs: number): number {
  const w = (2 * Math.PI * f) / fs;
  let m = 1;
  for (const s of sections) {
    const re = (cw: number, sw: number, c0: number, c1: number, c2: number): [number, number] => [c0 + c1 * cw + c2 * Math.cos(2 * w), -(c1 * sw + c2 * Math.sin(2 * w))];
    const [nr, ni] = re(Math.cos(w), Math.sin(w), s.b0, s.b1, s.b2);
    const [dr, di] = re(Math.cos(w), Math.sin(w), 1, s.a1, s.a2);
    m *= Math.hypot(nr, ni) / Math.hypot(dr, di);
  }
  return m;
}

/**
 * Zero-phase filtering. `x` holds `n` samples; `work` must hold `n + 2·pad` values and receives
 * the filtered, still padded signal; the result is `work[pad .. pad + n)`. `pad < n`.
 */
export function filtfilt(sections: readonly Biquad[], x: Float64Array, n: number, pad: number, work: Float64Array): void {
  for (let i = 0; i < pad; i++) {
    work[i] = x[pad - i] as number;
    work[pad + n + i] = x[n - 2 - i] as number;
  }
  for (let i = 0; i < n; i++) work[pad + i] = x[i] as number;
  const len = n + 2 * pad;
  pass(sections, work, len, 1);
  pass(sections, work, len, -1);
}

/** One direction over the whole buffer, in place, each section started in steady state. */
function pass(sections: readonly Biquad[], buf: Float64Array, len: number, dir: 1 | -1): void {
  const start = dir === 1 ? 0 : len - 1;
  let level = buf[start] as number;
  for (const s of sections) {
    const dc = (s.b0 + s.b1 + s.b2) / (1 + s.a1 + s.a2);
    const y = dc * level;
    let z1 = (s.b1 + s.b2) * level - (s.a1 + s.a2) * y;
    let z2 = s.b2 * level - s.a2 * y;
    const { b0, b1, b2, a1, a2 } = s;
    for (let k = 0, i = start; k < len; k++, i += dir) {
      const xi = buf[i] as number;
      const yi = b0 * xi + z1;
      z1 = b1 * xi - a1 * yi + z2;
      z2 = b2 * xi - a2 * yi;
      buf[i] = yi;
    }
    level = y;
  }
}
