import fc from 'fast-check';

/**
 * Shared pieces of the decoder fuzz tests: byte mutations of valid streams, chunkings that cut
 * those streams at random places (as serial reads and pipes do), and a watchdog for "never hangs".
 */
export type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'set'; at: number; value: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; len: number }
  | { op: 'dup'; at: number; len: number }
  | { op: 'truncate'; at: number };

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: fc.nat(255) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.tuple(fc.integer({ min: 1, max: 48 }), fc.nat()).map(([n, seed]) => seededBytes(seed, n)) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 48 }) }),
  fc.record({ op: fc.constant('dup' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
);

export const mutationsArb = fc.array(mutationArb, { minLength: 1, maxLength: 6 });

/** Applies mutations in order; positions are taken modulo the current length. */
export function mutate(base: Uint8Array, ms: readonly Mutation[]): Uint8Array {
  let b = base;
  for (const m of ms) {
    const n = b.length;
    if (n === 0) break;
    const at = m.at % n;
    switch (m.op) {
      case 'flip':
        b = new Uint8Array(b); // a copy: on a Buffer, slice() would alias the fixture
        b[at] = b[at]! ^ (1 << m.bit);
        break;
      case 'set':
        b = new Uint8Array(b);
        b[at] = m.value;
        break;
      case 'insert':
        b = concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
        break;
      case 'delete':
        b = concat([b.subarray(0, at), b.subarray(Math.min(n, at + m.len))]);
        break;
      case 'dup':
        b = concat([b.subarray(0, at + Math.min(m.len, n - at)), b.subarray(at)]);
        break;
      case 'truncate':
        b = b.subarray(0, at);
        break;
    }
  }
  return b;
}

export const chunkSizesArb = fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 8 });

/** Cuts `b` into reads whose sizes cycle through `sizes`. */
export function chunks(b: Uint8Array, sizes: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let i = 0;
  let k = 0;
  while (i < b.length) {
    const s = sizes[k++ % sizes.length] ?? 1;
    out.push(b.subarray(i, i + s));
    i += s;
  }
  return out;
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Runs `fn` and fails if one input took longer than `budgetMs` (a loop that stops consuming would). */
export function withinBudget<T>(budgetMs: number, fn: () => T): T {
  const t0 = performance.now();
  const r = fn();
  const dt = performance.now() - t0;
  if (dt > budgetMs) throw new Error(`decoder took ${dt.toFixed(1)} ms on one input (budget ${budgetMs} ms): hang?`);
  return r;
}

/** Pulls everything a decoder has ready (bounded, so a decoder that never runs dry fails). */
export function drainAll<T>(next: () => T | undefined, limit = 1_000_000): T[] {
  const out: T[] = [];
  for (let v = next(); v !== undefined; v = next()) {
    out.push(v);
    if (out.length > limit) throw new Error('decoder keeps producing: hang?');
  }
  return out;
}

/** A deterministic byte source for building valid streams from one seed (cheaper than deep arbitraries). */
export function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

/** `n` pseudo-random bytes from a seed (fast-check's uint8Array is slow for kilobyte inputs). */
export function seededBytes(seed: number, n: number): Uint8Array {
  const r = prng(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (r() * 256) | 0;
  return out;
}

/** Fails the property without vitest's expect (expect in hot loops dominates run time). */
export function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(what);
}

/** fast-check runs per property; the per-file total is stated in each test title. */
export const RUNS = { random: 15_000, mutated: 10_000 };
