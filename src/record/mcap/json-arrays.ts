/**
 * Exact conversions between typed arrays and what JSON can hold. Replay must reproduce payloads bit
 * for bit, so:
 * - float32 → JSON number is exact (every float32 is a double, and JSON.stringify prints the
 *   shortest decimal that parses back to the same double); NaN, ±Infinity and −0 are not JSON
 *   numbers, so they are written as 0 and listed by index in a side table;
 * - binary arrays go through base64 into buffers the payload owns (never Node's shared pool, since
 *   payload buffers are transferred to the inference worker).
 */

/** `[index, "NaN" | "Infinity" | "-Infinity" | "-0"]` for each value JSON cannot carry. */
export type Specials = [number, string][];

export function floatsToJson(a: Float32Array, from = 0, to = a.length): { values: number[]; specials: Specials } {
  const values = new Array<number>(to - from);
  const specials: Specials = [];
  for (let i = from; i < to; i++) {
    const v = a[i] as number;
    if (Number.isFinite(v) && !Object.is(v, -0)) values[i - from] = v;
    else {
      values[i - from] = 0;
      specials.push([i - from, Object.is(v, -0) ? '-0' : String(v)]);
    }
  }
  return { values, specials };
}

export function jsonToFloats(values: readonly unknown[], specials: Specials | undefined, out = new Float32Array(values.length), at = 0): Float32Array {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number') throw new TypeError(`expected a number at [${i}], got ${JSON.stringify(v)}`);
    out[at + i] = v;
  }
  for (const [i, s] of specials ?? []) out[at + i] = s === '-0' ? -0 : Number(s);
  return out;
}

/** Base64 of a typed array's bytes (little-endian host, as every supported target is). */
export function toBase64(v: ArrayBufferView): string {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
}

/** Decodes base64 into a fresh, exactly-sized ArrayBuffer the caller owns. */
export function fromBase64(text: string): Uint8Array {
  const pooled = Buffer.from(text, 'base64');
  const out = new Uint8Array(pooled.byteLength);
  out.set(pooled);
  return out;
}

/** `{...head, data: "<base64>"}` as UTF-8 bytes, without JSON.stringify of the frame (hot path). */
export function jsonWithBase64(head: Record<string, unknown>, data: ArrayBufferView): Uint8Array {
  const prefix = `${JSON.stringify(head).slice(0, -1)},"data":"`;
  const b64 = toBase64(data);
  const out = Buffer.allocUnsafeSlow(prefix.length * 3 + b64.length + 2);
  let n = out.write(prefix, 0, 'utf8');
  n += out.write(b64, n, 'latin1');
  n += out.write('"}', n, 'latin1');
  return new Uint8Array(out.buffer, out.byteOffset, n);
}

export function nsToTime(ns: bigint): { sec: number; nsec: number } {
  const t = ns < 0n ? 0n : ns;
  return { sec: Number(t / 1_000_000_000n), nsec: Number(t % 1_000_000_000n) };
}

export function timeToNs(t: unknown): bigint | undefined {
  if (typeof t !== 'object' || t === null) return undefined;
  const { sec, nsec } = t as { sec?: unknown; nsec?: unknown };
  if (typeof sec !== 'number' || typeof nsec !== 'number') return undefined;
  return BigInt(sec) * 1_000_000_000n + BigInt(nsec);
}
