/**
 * Record framing of the spool's segment files: `[u32 length][u32 crc32][body]`, little-endian,
 * body = UTF-8 JSON. A record is valid only when it is complete and its CRC matches, so a segment
 * cut off mid-write (kill -9, power loss) is read up to its last whole record and no further.
 */

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3, as zlib). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = (TABLE[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export const HEADER_BYTES = 8;
/** Upper bound of one record's body; anything larger in a length field is corruption. */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

export function encodeRecord(body: unknown): Buffer {
  const json = Buffer.from(JSON.stringify(body), 'utf8');
  const out = Buffer.allocUnsafe(HEADER_BYTES + json.length);
  out.writeUInt32LE(json.length, 0);
  out.writeUInt32LE(crc32(json), 4);
  json.copy(out, HEADER_BYTES);
  return out;
}

export interface DecodedRecords<T> {
  records: { offset: number; body: T }[];
  /** Bytes up to the end of the last valid record (truncate the file here before appending). */
  validBytes: number;
  /** Why decoding stopped early, if it did (truncated, crc mismatch, bad length, bad JSON). */
  stopped?: { offset: number; reason: string };
}

/** Decodes records until the end or the first incomplete/corrupt one. Never throws. */
export function decodeRecords<T>(buf: Uint8Array): DecodedRecords<T> {
  const records: { offset: number; body: T }[] = [];
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let off = 0;
  while (off < buf.length) {
    if (buf.length - off < HEADER_BYTES) return { records, validBytes: off, stopped: { offset: off, reason: 'truncated header' } };
    const len = view.getUint32(off, true);
    const crc = view.getUint32(off + 4, true);
    if (len > MAX_RECORD_BYTES) return { records, validBytes: off, stopped: { offset: off, reason: `implausible length ${len}` } };
    if (buf.length - off - HEADER_BYTES < len) return { records, validBytes: off, stopped: { offset: off, reason: 'truncated record' } };
    const body = buf.subarray(off + HEADER_BYTES, off + HEADER_BYTES + len);
    if (crc32(body) !== crc) return { records, validBytes: off, stopped: { offset: off, reason: 'crc mismatch' } };
    try {
      records.push({ offset: off, body: JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8')) as T });
    } catch {
      return { records, validBytes: off, stopped: { offset: off, reason: 'bad json' } };
    }
    off += HEADER_BYTES + len;
  }
  return { records, validBytes: off };
}
