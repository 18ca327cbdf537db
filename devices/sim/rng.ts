import { hash32 } from './hash.ts';

/**
 * A small sequential generator (sfc32, public domain, Chris Doty-Humphrey) for the places where
 * state is the point: the EEG generator's noise and one-off tables built once per world. Seeded
 * through {@link hash32} so different (seed, stream, key) triples give unrelated sequences.
 */
export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;
  #spare: number | undefined;

  constructor(seed: number, stream: number, key = 0, key2 = 0) {
    this.#a = hash32(seed, stream, key, key2, 1);
    this.#b = hash32(seed, stream, key, key2, 2);
    this.#c = hash32(seed, stream, key, key2, 3);
    this.#d = 1;
    // sfc32 needs a few rounds before its output is well mixed.
    for (let i = 0; i < 12; i++) this.nextU32();
  }

  nextU32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Standard normal (polar Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    const s = this.#spare;
    if (s !== undefined) {
      this.#spare = undefined;
      return s;
    }
    for (;;) {
      const u = 2 * this.next() - 1;
      const v = 2 * this.next() - 1;
      const r = u * u + v * v;
      if (r > 0 && r < 1) {
        const f = Math.sqrt((-2 * Math.log(r)) / r);
        this.#spare = v * f;
        return u * f;
      }
    }
  }
}
