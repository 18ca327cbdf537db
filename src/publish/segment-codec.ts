import { crc32 as zlibCrc32 } from 'node:zlib';

/**
 * Record framing of the spool's files, little-endian:
 *
 *   [u32 bodyLength][u32 crc32(body)][body]      body = [u32 metaLength][meta: UTF-8 JSON][data bytes]
 *
 * The payload travels as raw bytes beside a small JSON header, so a 1 KB JSON result is not
 * escaped into another JSON string on every append. A record counts only when it is complete and
 * its CRC matches, so a file cut off mid-write (kill -9, power loss) is read up to its last whole
 * record and no further.
 */

/** CRC-32 (IEEE 802.3, as zlib) — Node's native one. */
export function crc32(bytes: Uint8Array): number {
  return zlibCrc32(bytes) >>> 0;
}

export const HEADER_BYTES = 8;
/** Upper bound of one record's body; anything larger in a length field is corruption. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;

/**
 * Encodes one record into `out` at `at` (when it fits) and returns the bytes written, or -1 when
 * `out` is too small. Lets the spool fill one reusable write buffer instead of allocating a Buffer
 * per message.
 */
export function encodeRecordInto(out: Buffer, at: number, meta: unknown, data?: Uint8Array | string): number {
  return encodeJsonRecordInto(out, at, JSON.stringify(meta), data);
}

/** {@link encodeRecordInto} with the header already serialised (`metaText` must be JSON). */
export function encodeJsonRecordInto(out: Buffer, at: number, metaText: string, data?: Uint8Array | string): number {
  const metaLen = Buffer.byteLength(metaText, 'utf8');
  const d = at + HEADER_BYTES + 4 + metaLen;
  let dataLen: number;
  if (typeof data === 'string') {
    // UTF-8 takes at most 3 bytes per UTF-16 unit: only measure the string when that bound does not fit.
    if (d + data.length * 3 > out.length && d + Buffer.byteLength(data, 'utf8') > out.length) return -1;
    dataLen = out.write(data, d, 'utf8');
  } else {
    dataLen = data === undefined ? 0 : data.byteLength;
    if (d + dataLen > out.length) return -1;
    if (data) out.set(data, d);
  }
  const bodyLen = 4 + metaLen + dataLen;
  out.writeUInt32LE(bodyLen, at);
  out.writeUInt32LE(metaLen, at + HEADER_BYTES);
  out.write(metaText, at + HEADER_BYTES + 4, 'utf8');
  out.writeUInt32LE(crc32(out.subarray(at + HEADER_BYTES, at + HEADER_BYTES + bodyLen)), at + 4);
  return HEADER_BYTES + bodyLen;
}

export function encodeRecord(meta: unknown, data?: Uint8Array | string): Buffer {
  const metaBuf = Buffer.from(JSON.stringify(meta), 'utf8');
  const dataLen = data === undefined ? 0 : typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : data.byteLength;
  const bodyLen = 4 + metaBuf.length + dataLen;
  const out = Buffer.allocUnsafe(HEADER_BYTES + bodyLen);
  out.writeUInt32LE(bodyLen, 0);
  out.writeUInt32LE(metaBuf.length, HEADER_BYTES);
  metaBuf.copy(out, HEADER_BYTES + 4);
  const at = HEADER_BYTES + 4 + metaBuf.length;
  if (typeof data === 'string') out.write(data, at, 'utf8');
  else if (data) out.set(data, at);
  out.writeUInt32LE(crc32(out.subarray(HEADER_BYTES)), 4);
  return out;
}

export interface DecodedRecord<T> {
  offset: number;
  meta: T;
  data: Buffer;
  /** Bytes the record takes in the file. */
  size: number;
}

export interface DecodedRecords<T> {
  records: DecodedRecord<T>[];
  /** Bytes up to the end of the last valid record (truncate the file here before appending). */
  validBytes: number;
  /** Why decoding stopped early, if it did (truncated, crc mismatch, bad length, bad JSON). */
  stopped?: { offset: number; reason: string };
}

/** Decodes records until the end or the first incomplete/corrupt one. Never throws. */
export function decodeRecords<T>(input: Uint8Array): DecodedRecords<T> {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const records: DecodedRecord<T>[] = [];
  let off = 0;
  const stop = (reason: string): DecodedRecords<T> => ({ records, validBytes: off, stopped: { offset: off, reason } });
  while (off < buf.length) {
    if (buf.length - off < HEADER_BYTES) return stop('truncated header');
    const len = buf.readUInt32LE(off);
    const crc = buf.readUInt32LE(off + 4);
    if (len < 4 || len > MAX_RECORD_BYTES) return stop(`implausible length ${len}`);
    if (buf.length - off - HEADER_BYTES < len) return stop('truncated record');
    const body = buf.subarray(off + HEADER_BYTES, off + HEADER_BYTES + len);
    if (crc32(body) !== crc) return stop('crc mismatch');
    const metaLen = body.readUInt32LE(0);
    if (metaLen > len - 4) return stop(`implausible meta length ${metaLen}`);
    let meta: T;
    try {
      meta = JSON.parse(body.toString('utf8', 4, 4 + metaLen)) as T;
    } catch {
      return stop('bad json');
    }
    records.push({ offset: off, meta, data: body.subarray(4 + metaLen), size: HEADER_BYTES + len });
    off += HEADER_BYTES + len;
  }
  return { records, validBytes: off };
}
