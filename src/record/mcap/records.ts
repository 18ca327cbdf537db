/**
 * The few MCAP records the log reader parses itself (spec: foxglove/mcap website/docs/spec,
 * "Records"; all integers little-endian, strings `u32 length + UTF-8`, maps `u32 byte length +
 * pairs`). Parsing chunks here rather than through McapStreamReader gives every failure the file
 * offset of the record it came from, and lets chunks be loaded in any order.
 */

export const OP = {
  header: 0x01,
  footer: 0x02,
  schema: 0x03,
  channel: 0x04,
  message: 0x05,
  chunk: 0x06,
  metadata: 0x0c,
  dataEnd: 0x0f,
} as const;

/** Opcodes defined by MCAP v0 (0x01–0x0F); anything else in a sensorium log is corruption. */
export const MAX_OPCODE = 0x0f;

export const MAGIC = new Uint8Array([0x89, 0x4d, 0x43, 0x41, 0x50, 0x30, 0x0d, 0x0a]);

const utf8 = new TextDecoder('utf-8', { fatal: true });

export class Cursor {
  readonly view: DataView;
  readonly bytes: Uint8Array;
  pos: number;
  constructor(bytes: Uint8Array, pos = 0) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = pos;
  }
  get remaining(): number {
    return this.bytes.byteLength - this.pos;
  }
  #need(n: number): void {
    if (n > this.remaining) throw new RangeError(`record needs ${n} bytes at +${this.pos}, ${this.remaining} left`);
  }
  u8(): number {
    this.#need(1);
    return this.view.getUint8(this.pos++);
  }
  u16(): number {
    this.#need(2);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.#need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  u64(): bigint {
    this.#need(8);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }
  /** A u64 length that must fit what is left (a corrupt length must not allocate gigabytes). */
  len64(): number {
    const n = this.u64();
    if (n > BigInt(this.remaining)) throw new RangeError(`length ${n} exceeds the ${this.remaining} bytes left`);
    return Number(n);
  }
  take(n: number): Uint8Array {
    this.#need(n);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  string(): string {
    return utf8.decode(this.take(this.u32()));
  }
  map(): Map<string, string> {
    const end = this.pos + this.u32();
    if (end > this.bytes.byteLength) throw new RangeError('map runs past its record');
    const out = new Map<string, string>();
    while (this.pos < end) out.set(this.string(), this.string());
    return out;
  }
}

export interface SchemaRecord {
  id: number;
  name: string;
  encoding: string;
  data: Uint8Array;
}

export interface ChannelRecord {
  id: number;
  schemaId: number;
  topic: string;
  messageEncoding: string;
  metadata: Map<string, string>;
}

export interface MessageRecord {
  channelId: number;
  sequence: number;
  logTime: bigint;
  publishTime: bigint;
  data: Uint8Array;
}

export interface ChunkHeader {
  start: bigint;
  end: bigint;
  uncompressedSize: bigint;
  crc: number;
  compression: string;
  records: Uint8Array;
}

export function parseSchema(c: Cursor): SchemaRecord {
  return { id: c.u16(), name: c.string(), encoding: c.string(), data: c.take(c.u32()) };
}

export function parseChannel(c: Cursor): ChannelRecord {
  return { id: c.u16(), schemaId: c.u16(), topic: c.string(), messageEncoding: c.string(), metadata: c.map() };
}

/** A Message record's content, `length` bytes from the cursor. */
export function parseMessage(c: Cursor, length: number): MessageRecord {
  const end = c.pos + length;
  const m = { channelId: c.u16(), sequence: c.u32(), logTime: c.u64(), publishTime: c.u64() };
  if (end < c.pos) throw new RangeError('message record shorter than its header');
  return { ...m, data: c.take(end - c.pos) };
}

export function parseChunkHeader(c: Cursor): ChunkHeader {
  const start = c.u64();
  const end = c.u64();
  const uncompressedSize = c.u64();
  const crc = c.u32();
  const compression = c.string();
  const records = c.take(c.len64());
  return { start, end, uncompressedSize, crc, compression, records };
}

export function startsWithMagic(b: Uint8Array): boolean {
  return b.byteLength >= MAGIC.length && MAGIC.every((v, i) => b[i] === v);
}
