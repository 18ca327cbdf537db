/**
 * Area-downsampling geometry: output cell o covers input indices [floor(o·n/m), floor((o+1)·n/m)).
 * With n a multiple of m (640 → 80) every cell is the same k×k box; otherwise cells differ by one.
 * Cached per (n, m): frames of one source always have the same size.
 */
export interface BoxMap {
  /** Output index of each input index. */
  map: Int32Array;
  /** Number of input indices per output cell. */
  size: Int32Array;
  /** n / m when it is an integer, else 0. */
  factor: number;
}

const cache = new Map<string, BoxMap>();

export function boxMap(n: number, m: number): BoxMap {
  const key = `${n}/${m}`;
  const hit = cache.get(key);
  if (hit) return hit;
  if (n < m) throw new RangeError(`cannot box-average ${n} inputs into ${m} outputs`);
  const map = new Int32Array(n);
  const size = new Int32Array(m);
  for (let o = 0; o < m; o++) {
    const a = Math.floor((o * n) / m);
    const b = Math.floor(((o + 1) * n) / m);
    for (let i = a; i < b; i++) map[i] = o;
    size[o] = b - a;
  }
  const out = { map, size, factor: n % m === 0 ? n / m : 0 };
  cache.set(key, out);
  return out;
}
