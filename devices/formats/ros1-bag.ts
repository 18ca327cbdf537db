import { DecodeError } from '../../src/core/errors.ts';
import { decompressLz4Frame } from './lz4-frame.ts';

/**
 * ROS 1 bag v2.0 reader (wiki.ros.org/Bags/Format/2.0; sensor-protocols §8.3). The file is
 * `#ROSBAG V2.0\n` then records of `u32 header_len, header, u32 data_len, data`; a header is a list of
 * `u32 len, "name=value"` fields and its `op` field says what the record is: 0x03 bag header,
 * 0x05 chunk (its data is more records, compressed `none` or `lz4`; bz2 is refused), 0x07 connection
 * (conn id, topic; data = the connection header with `type`, `md5sum`, `message_definition`),
 * 0x02 message (conn id, time as u32 sec + u32 nsec), 0x04 index, 0x06 chunk info. Index records are
 * skipped: a full scan in file order is enough for playback and inspection.
 */
export const BAG_MAGIC = '#ROSBAG V2.0\n';

export interface BagConnection {
  id: number;
  topic: string;
  type: string;
}

export interface BagMessage {
  conn: number;
  /** Record time, ns (bag clock: the recorder's). */
  timeNs: bigint;
  data: Uint8Array;
}

export interface RosBag {
  connections: Map<number, BagConnection>;
  messages: BagMessage[];
  chunks: number;
}

export function isRosBag(head: Uint8Array): boolean {
  return head.length >= 13 && new TextDecoder().decode(head.subarray(0, 13)) === BAG_MAGIC;
}

/** Reads every connection and message. Throws DecodeError on a damaged or unsupported file. */
export function readRosBag(bytes: Uint8Array, options: { topics?: (topic: string) => boolean } = {}): RosBag {
  if (!isRosBag(bytes)) throw new DecodeError('not a ROS 1 bag v2.0 (bad magic)', { code: 'E_ROSBAG' });
  const bag: RosBag = { connections: new Map(), messages: [], chunks: 0 };
  readRecords(bytes, 13, bytes.length, bag, options.topics, true);
  return bag;
}

function readRecords(b: Uint8Array, p: number, end: number, bag: RosBag, want: ((t: string) => boolean) | undefined, top: boolean): void {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  while (p + 8 <= end) {
    const hlen = dv.getUint32(p, true);
    const hstart = p + 4;
    if (hstart + hlen + 4 > end) throw new DecodeError(`ROS bag: record header overruns the ${top ? 'file' : 'chunk'} at ${p}`, { code: 'E_ROSBAG' });
    const fields = readHeader(b, hstart, hstart + hlen);
    const dlen = dv.getUint32(hstart + hlen, true);
    const dstart = hstart + hlen + 4;
    if (dstart + dlen > end) throw new DecodeError(`ROS bag: record data overruns the ${top ? 'file' : 'chunk'} at ${p}`, { code: 'E_ROSBAG' });
    const data = b.subarray(dstart, dstart + dlen);
    p = dstart + dlen;
    const op = fields.get('op')?.[0];
    if (op === 0x05) {
      bag.chunks++;
      const compression = text(fields.get('compression'));
      const size = u32(fields.get('size'));
      let inner: Uint8Array;
      if (compression === 'none') inner = data;
      else if (compression === 'lz4') inner = decompressLz4Frame(data, size);
      else throw new DecodeError(`ROS bag: chunk compression "${compression}" is not supported (only none, lz4)`, { code: 'E_ROSBAG' });
      readRecords(inner, 0, inner.length, bag, want, false);
    } else if (op === 0x07) {
      const id = u32(fields.get('conn'));
      const topic = text(fields.get('topic'));
      const type = text(readHeader(data, 0, data.length).get('type'));
      if (!bag.connections.has(id)) bag.connections.set(id, { id, topic, type });
    } else if (op === 0x02) {
      const conn = u32(fields.get('conn'));
      const t = fields.get('time');
      if (!t || t.length < 8) throw new DecodeError('ROS bag: message without time', { code: 'E_ROSBAG' });
      const c = bag.connections.get(conn);
      if (want && c && !want(c.topic)) continue;
      const tdv = new DataView(t.buffer, t.byteOffset, 8);
      const timeNs = BigInt(tdv.getUint32(0, true)) * 1_000_000_000n + BigInt(tdv.getUint32(4, true));
      bag.messages.push({ conn, timeNs, data: new Uint8Array(data) }); // copy: Buffer#slice would alias the file
    }
  }
}

/** `u32 len, name=value` fields → map of name → raw value bytes. */
function readHeader(b: Uint8Array, p: number, end: number): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  while (p + 4 <= end) {
    const len = dv.getUint32(p, true);
    const f = b.subarray(p + 4, Math.min(end, p + 4 + len));
    p += 4 + len;
    const eq = f.indexOf(0x3d);
    if (eq < 0) continue;
    out.set(new TextDecoder().decode(f.subarray(0, eq)), f.subarray(eq + 1));
  }
  return out;
}

function text(v: Uint8Array | undefined): string {
  return v ? new TextDecoder().decode(v) : '';
}

function u32(v: Uint8Array | undefined): number {
  if (!v || v.length < 4) return -1;
  return new DataView(v.buffer, v.byteOffset, 4).getUint32(0, true);
}
