import { DecodeError } from '../../src/core/errors.ts';

/**
 * LZ4 frame decompression (LZ4 Frame Format Description v1.6.x, and the block format in
 * lz4_Block_format.md), enough for ROS 1 bag chunks (`compression=lz4`, written by roslz4 in the
 * frame format). Pure TypeScript so bag reading stays sans-I/O and fuzzable. Checksums (xxHash32)
 * are skipped, not verified: the bag's own record framing catches truncation.
 */
const MAGIC = 0x184d2204;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE = 0x184d2a50;

/** Decompresses a whole LZ4 frame (or several concatenated). `sizeHint` preallocates the output. */
export function decompressLz4Frame(src: Uint8Array, sizeHint = 0): Uint8Array {
  // A hint from a damaged header must not allocate gigabytes: LZ4 expands at most ~255:1.
  let out = new Uint8Array(Math.max(64, Math.min(sizeHint, src.length * 255 + 64, 1 << 28)));
  let outLen = 0;
  /** Makes room for `total` output bytes (keeping what is written) and returns the buffer. */
  const room = (total: number): Uint8Array => {
    if (total <= out.length) return out;
    const grown = new Uint8Array(Math.max(out.length * 2, total));
    grown.set(out);
    out = grown;
    return out;
  };
  let p = 0;
  const u32 = (i: number): number => {
    if (i + 4 > src.length) throw truncated();
    return (src[i]! | (src[i + 1]! << 8) | (src[i + 2]! << 16) | (src[i + 3]! << 24)) >>> 0;
  };
  while (p < src.length) {
    const magic = u32(p);
    if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE) {
      p += 8 + u32(p + 4);
      continue;
    }
    if (magic !== MAGIC) throw new DecodeError(`LZ4: bad frame magic 0x${magic.toString(16)}`, { code: 'E_LZ4' });
    const flg = src[p + 4];
    if (flg === undefined || src[p + 5] === undefined) throw truncated();
    if (flg >> 6 !== 1) throw new DecodeError('LZ4: unsupported frame version', { code: 'E_LZ4' });
    const blockChecksum = (flg & 0x10) !== 0;
    const contentSize = (flg & 0x08) !== 0;
    const contentChecksum = (flg & 0x04) !== 0;
    const dictId = (flg & 0x01) !== 0;
    p += 6 + (contentSize ? 8 : 0) + (dictId ? 4 : 0) + 1; // magic, FLG, BD, [size], [dict], HC
    for (;;) {
      const word = u32(p);
      p += 4;
      if (word === 0) break; // EndMark
      const size = word & 0x7fffffff;
      if (p + size > src.length) throw truncated();
      if ((word & 0x80000000) !== 0) {
        room(outLen + size).set(src.subarray(p, p + size), outLen);
        outLen += size;
      } else {
        // Blocks may refer back into earlier blocks (B.Indep = 0): decode into one window.
        outLen = decodeBlock(src, p, p + size, room, outLen);
      }
      p += size + (blockChecksum ? 4 : 0);
    }
    if (contentChecksum) p += 4;
  }
  return out.subarray(0, outLen);
}

/**
 * Decodes one LZ4 block into `room(total)` starting at `o`; returns the new output length. Short
 * literal runs and matches (most of them, in depth images) are copied byte by byte — cheaper than
 * a typed-array call — and long ones with `set`/`copyWithin`.
 */
function decodeBlock(src: Uint8Array, p: number, end: number, room: (total: number) => Uint8Array, o: number): number {
  let out = room(o);
  while (p < end) {
    const token = src[p++]!;
    let lit = token >> 4;
    if (lit === 15) {
      let b: number;
      do {
        if (p >= end) throw truncated();
        b = src[p++]!;
        lit += b;
      } while (b === 255);
    }
    if (p + lit > end) throw truncated();
    if (o + lit > out.length) out = room(o + lit);
    if (lit < 32) {
      for (let i = 0; i < lit; i++) out[o++] = src[p++]!;
    } else {
      out.set(src.subarray(p, p + lit), o);
      o += lit;
      p += lit;
    }
    if (p >= end) break; // the last sequence has literals only
    if (p + 2 > end) throw truncated();
    const offset = src[p]! | (src[p + 1]! << 8);
    p += 2;
    if (offset === 0 || offset > o) throw new DecodeError('LZ4: match offset outside the window', { code: 'E_LZ4' });
    let len = (token & 0x0f) + 4;
    if ((token & 0x0f) === 15) {
      let b: number;
      do {
        if (p >= end) throw truncated();
        b = src[p++]!;
        len += b;
      } while (b === 255);
    }
    if (o + len > out.length) out = room(o + len);
    const from = o - offset;
    if (len < 32) {
      // Byte by byte is also the defined semantics when the match overlaps its own output.
      for (let i = 0; i < len; i++) out[o + i] = out[from + i]!;
    } else {
      // Overlapping copy (offset < len repeats the last `offset` bytes). The bytes from `from` up to
      // the write position are periodic with period `offset`, so copy runs that start in phase and
      // end before the write position: each run can be as long as everything written so far.
      let done = 0;
      while (done < len) {
        const s = from + (done % offset);
        const n = Math.min(len - done, o + done - s);
        out.copyWithin(o + done, s, s + n);
        done += n;
      }
    }
    o += len;
  }
  return o;
}

function truncated(): DecodeError {
  return new DecodeError('LZ4: truncated frame', { code: 'E_LZ4' });
}
