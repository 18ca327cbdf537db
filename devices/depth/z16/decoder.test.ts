import { describe, expect, it } from 'vitest';
import { Z16Decoder, encodeZ16Frame, type Z16Frame } from './decoder.ts';

const frame = (w: number, h: number, seed: number) => ({ width: w, height: h, unitM: 0.001, data: Uint16Array.from({ length: w * h }, (_, i) => (i * 131 + seed) & 0xffff) });

function drain(d: Z16Decoder): Z16Frame[] {
  const out: Z16Frame[] = [];
  for (let f = d.next(); f; f = d.next()) out.push(f);
  return out;
}

describe('Z16Decoder (DZ16 length-prefixed sidecar frames)', () => {
  it('round-trips frames split across arbitrary reads, keeping seq and the device clock', () => {
    const a = frame(4, 3, 1);
    const b = frame(2, 2, 9);
    const bytes = new Uint8Array([...encodeZ16Frame(a, { seq: 7, device_ts_us: 123 }), ...encodeZ16Frame(b, { seq: 8 })]);
    const d = new Z16Decoder();
    for (let i = 0; i < bytes.length; i += 5) d.push(bytes.subarray(i, i + 5), BigInt(i));
    const out = drain(d);
    expect(out).toHaveLength(2);
    expect(Array.from(out[0]!.frame.data)).toEqual(Array.from(a.data));
    expect(out[0]).toMatchObject({ seq: 7, deviceTimeUs: 123, frame: { width: 4, height: 3, unitM: 0.001 } });
    expect(Array.from(out[1]!.frame.data)).toEqual(Array.from(b.data));
  });

  it('honours a row stride (padding dropped) and little-endian pixels', () => {
    // Header {"w":2,"h":1,"stride":6}: pixels 0x0201 and 0x0403, then 2 bytes of row padding.
    const header = new TextEncoder().encode('{"w":2,"h":1,"stride":6}');
    const bytes = new Uint8Array([0x44, 0x5a, 0x31, 0x36, header.length, 0, 0, 0, ...header, 0x01, 0x02, 0x03, 0x04, 0xee, 0xee]);
    const d = new Z16Decoder();
    d.push(bytes, 0n);
    expect(Array.from(drain(d)[0]!.frame.data)).toEqual([0x0201, 0x0403]);
  });

  it('resyncs on the magic after garbage and a corrupt header, counting bad bytes', () => {
    const good = encodeZ16Frame(frame(2, 2, 3), { seq: 1 });
    const corrupt = good.slice();
    corrupt[8] = 0x78; // "{" → "x": the JSON header no longer parses
    const d = new Z16Decoder();
    d.push(new Uint8Array([9, 9, 9, ...corrupt, ...good]), 0n);
    const out = drain(d);
    expect(out).toHaveLength(1);
    expect(d.stats().badBytes).toBe(3 + corrupt.length);
    expect(d.stats().badHeaders).toBeGreaterThan(0);
  });
});
