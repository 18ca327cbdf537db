import { crc32 } from 'node:zlib';
import { McapIndexedReader } from '@mcap/core';
import { RecordingError, describeError } from '../../core/errors.ts';
import type { ByteSource } from './byte-source.ts';
import { decompressHandlers, type DecompressHandlers } from './compression.ts';
import { mergeByTime } from './merge.ts';
import {
  Cursor, MAX_OPCODE, OP, parseChannel, parseChunkHeader, parseMessage, parseSchema, startsWithMagic,
  type ChannelRecord, type MessageRecord, type SchemaRecord,
} from './records.ts';

/**
 * An MCAP file opened for reading, complete or cut off. With a valid summary (a file that was
 * `end()`ed) the chunk list comes from the summary's chunk indexes; otherwise — a recording cut off
 * by a crash or power loss has no summary — the data section is scanned record by record, and
 * everything up to the last complete chunk is returned (the unfinished chunk is lost: chunk size
 * bounds crash loss). Messages come out in log-time order (ties in file order) by merging chunks,
 * so overlapping chunks and out-of-order writes are handled the same way in both cases.
 *
 * Corrupt bytes raise `RecordingError` with the byte offset of the record they were found in.
 */
export interface ChunkRef {
  /** File offset of the Chunk record (or of a lone Message record in an unchunked file). */
  offset: number;
  length: number;
  start: bigint;
  end: bigint;
}

export interface FileMessage extends MessageRecord {
  /** Offset of the chunk it came from (error reports). */
  chunkOffset: number;
}

export class McapLogFile {
  readonly source: ByteSource;
  readonly profile: string;
  readonly library: string;
  readonly schemas: ReadonlyMap<number, SchemaRecord>;
  readonly channels: ReadonlyMap<number, ChannelRecord>;
  readonly metadata: ReadonlyMap<string, Map<string, string>>;
  readonly chunks: readonly ChunkRef[];
  /** Message count per channel id, when the summary has statistics. */
  readonly counts: ReadonlyMap<number, number> | undefined;
  /** True when read by scanning (no usable summary); `truncatedAt` is where complete data ended. */
  readonly recovered: boolean;
  readonly truncatedAt: number | undefined;
  readonly #handlers: DecompressHandlers;

  private constructor(o: {
    source: ByteSource; profile: string; library: string; schemas: Map<number, SchemaRecord>; channels: Map<number, ChannelRecord>;
    metadata: Map<string, Map<string, string>>; chunks: ChunkRef[]; counts: Map<number, number> | undefined; recovered: boolean;
    truncatedAt: number | undefined; handlers: DecompressHandlers;
  }) {
    this.source = o.source;
    this.profile = o.profile;
    this.library = o.library;
    this.schemas = o.schemas;
    this.channels = o.channels;
    this.metadata = o.metadata;
    this.chunks = [...o.chunks].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.offset - b.offset));
    this.counts = o.counts;
    this.recovered = o.recovered;
    this.truncatedAt = o.truncatedAt;
    this.#handlers = o.handlers;
  }

  static async open(source: ByteSource): Promise<McapLogFile> {
    const head = await source.read(0, 8);
    if (!startsWithMagic(head)) throw new RecordingError(`${source.label}: not an MCAP file (no magic at the start)`, { offset: 0, code: 'E_RECORDING_FORMAT' });
    const handlers = await decompressHandlers();
    const indexed = await tryIndexed(source, handlers);
    return indexed ? new McapLogFile({ ...indexed, source, handlers, recovered: false, truncatedAt: undefined }) : new McapLogFile({ ...(await scan(source, handlers)), source, handlers, recovered: true });
  }

  /** Messages of `channelIds` (default all) with `startNs <= logTime <= endNs`, in log-time order. */
  messages(q: { channelIds?: ReadonlySet<number>; startNs?: bigint; endNs?: bigint } = {}): AsyncIterable<FileMessage> {
    const chunks = this.chunks.filter((c) => (q.startNs === undefined || c.end >= q.startNs) && (q.endNs === undefined || c.start <= q.endNs));
    const keep = (m: MessageRecord): boolean =>
      (!q.channelIds || q.channelIds.has(m.channelId)) && (q.startNs === undefined || m.logTime >= q.startNs) && (q.endNs === undefined || m.logTime <= q.endNs);
    return mergeByTime(chunks, async (c) => (await this.loadChunk(c)).filter(keep));
  }

  /** Decodes one chunk (or lone message) into its messages, in file order. */
  async loadChunk(c: ChunkRef): Promise<FileMessage[]> {
    const bytes = await this.source.read(c.offset, c.length);
    try {
      if (bytes.byteLength < c.length) throw new Error(`record cut off (${bytes.byteLength} of ${c.length} bytes)`);
      const cur = new Cursor(bytes);
      const op = cur.u8();
      const len = cur.len64();
      if (op === OP.message) return [{ ...parseMessage(cur, len), chunkOffset: c.offset }];
      if (op !== OP.chunk) throw new Error(`expected a Chunk record, found opcode 0x${op.toString(16)}`);
      const out: FileMessage[] = [];
      for (const r of chunkRecords(parseChunkHeader(cur), this.#handlers)) {
        if (r.op !== OP.message) continue;
        const m = parseMessage(r.cur, r.len);
        // The merge relies on [start, end]: a message outside it means the index lies.
        if (m.logTime < c.start || m.logTime > c.end) throw new Error(`message log time ${m.logTime} outside the chunk's [${c.start}, ${c.end}]`);
        out.push({ ...m, chunkOffset: c.offset });
      }
      return out;
    } catch (err) {
      throw corrupt(this.source, c.offset, err);
    }
  }
}

function corrupt(source: ByteSource, offset: number, err: unknown): RecordingError {
  if (err instanceof RecordingError) return err;
  return new RecordingError(`${source.label}: corrupt record at byte ${offset}: ${describeError(err)}`, { offset, cause: err, code: 'E_RECORDING_CORRUPT' });
}

/** The records inside a chunk, after decompression and CRC check. */
function* chunkRecords(ch: ReturnType<typeof parseChunkHeader>, handlers: DecompressHandlers): Generator<{ op: number; len: number; cur: Cursor }> {
  let data = ch.records;
  if (ch.compression !== '') {
    const decompress = handlers[ch.compression];
    if (!decompress) throw new Error(`unsupported chunk compression ${JSON.stringify(ch.compression)}`);
    data = decompress(ch.records, ch.uncompressedSize);
  }
  if (BigInt(data.byteLength) !== ch.uncompressedSize) throw new Error(`chunk decompressed to ${data.byteLength} bytes, expected ${ch.uncompressedSize}`);
  if (ch.crc !== 0 && crc32(data) >>> 0 !== ch.crc) throw new Error(`chunk CRC mismatch (stored ${ch.crc}, computed ${crc32(data) >>> 0})`);
  const cur = new Cursor(data);
  while (cur.remaining > 0) {
    const op = cur.u8();
    const len = cur.len64();
    const end = cur.pos + len;
    yield { op, len, cur };
    cur.pos = end;
  }
}

type Parsed = {
  profile: string;
  library: string;
  schemas: Map<number, SchemaRecord>;
  channels: Map<number, ChannelRecord>;
  metadata: Map<string, Map<string, string>>;
  chunks: ChunkRef[];
  counts: Map<number, number> | undefined;
};

/** The summary path: @mcap/core's indexed reader parses footer, summary and chunk indexes. */
async function tryIndexed(source: ByteSource, handlers: DecompressHandlers): Promise<Parsed | undefined> {
  let reader: McapIndexedReader;
  try {
    reader = await McapIndexedReader.Initialize({
      readable: { size: () => Promise.resolve(BigInt(source.size)), read: (o, n) => source.read(Number(o), Number(n)) },
      decompressHandlers: handlers,
    });
  } catch {
    return undefined; // no footer/summary (cut off) or a damaged summary: scan instead
  }
  if (reader.chunkIndexes.length === 0 && reader.statistics && reader.statistics.messageCount > 0n) return undefined; // unchunked: scan
  const metadata = new Map<string, Map<string, string>>();
  try {
    for await (const m of reader.readMetadata()) metadata.set(m.name, m.metadata);
  } catch {
    return undefined;
  }
  const chunks = reader.chunkIndexes.map((c) => ({ offset: Number(c.chunkStartOffset), length: Number(c.chunkLength), start: c.messageStartTime, end: c.messageEndTime }));
  if (chunks.some((c) => c.offset < 8 || c.offset + c.length > source.size)) return undefined;
  const counts = reader.statistics ? new Map([...reader.statistics.channelMessageCounts].map(([k, v]) => [k, Number(v)])) : undefined;
  return {
    profile: reader.header.profile,
    library: reader.header.library,
    schemas: new Map([...reader.schemasById].map(([id, s]) => [id, { id, name: s.name, encoding: s.encoding, data: s.data }])),
    channels: new Map([...reader.channelsById].map(([id, c]) => [id, { id, schemaId: c.schemaId, topic: c.topic, messageEncoding: c.messageEncoding, metadata: c.metadata }])),
    metadata,
    chunks,
    counts,
  };
}

/**
 * The recovery path: walk the data section record by record. A record that runs past the end of
 * the file ends the scan (the file was cut there); an unknown opcode, a bad CRC or an undecodable
 * chunk is corruption and raises RecordingError with that record's offset.
 */
async function scan(source: ByteSource, handlers: DecompressHandlers): Promise<Parsed & { truncatedAt: number | undefined }> {
  const out: Parsed = { profile: '', library: '', schemas: new Map(), channels: new Map(), metadata: new Map(), chunks: [], counts: undefined };
  let offset = 8;
  let truncatedAt: number | undefined;
  let first: bigint | undefined;
  let last: bigint | undefined;
  const inner = (op: number, cur: Cursor, len: number): void => {
    const end = cur.pos + len;
    if (op === OP.message) {
      // Times from the CRC-checked messages, not the chunk header: the merge order depends on them.
      const m = parseMessage(cur, len);
      if (first === undefined || m.logTime < first) first = m.logTime;
      if (last === undefined || m.logTime > last) last = m.logTime;
    } else if (op === OP.schema) {
      const s = parseSchema(cur);
      out.schemas.set(s.id, s);
    } else if (op === OP.channel) {
      const c = parseChannel(cur);
      out.channels.set(c.id, c);
    }
    cur.pos = end;
  };
  for (;;) {
    const head = await source.read(offset, 9);
    if (head.byteLength < 9) {
      if (head.byteLength > 0) truncatedAt = offset;
      break;
    }
    const hv = new DataView(head.buffer, head.byteOffset, 9);
    const op = hv.getUint8(0);
    const len = hv.getBigUint64(1, true);
    if (op === 0 || op > MAX_OPCODE) throw corrupt(source, offset, new Error(`unknown record opcode 0x${op.toString(16)}`));
    if (BigInt(offset) + 9n + len > BigInt(source.size)) {
      truncatedAt = offset;
      break;
    }
    const n = Number(len);
    if (op === OP.footer || op === OP.dataEnd) break;
    if (op === OP.chunk) {
      const bytes = await source.read(offset + 9, n);
      try {
        const ch = parseChunkHeader(new Cursor(bytes));
        first = undefined;
        last = undefined;
        for (const r of chunkRecords(ch, handlers)) inner(r.op, r.cur, r.len);
        if (first !== undefined && last !== undefined) out.chunks.push({ offset, length: 9 + n, start: first, end: last });
      } catch (err) {
        throw corrupt(source, offset, err);
      }
    } else if (op === OP.header || op === OP.schema || op === OP.channel || op === OP.metadata || op === OP.message) {
      const bytes = await source.read(offset + 9, n);
      try {
        const cur = new Cursor(bytes);
        if (op === OP.header) {
          out.profile = cur.string();
          out.library = cur.string();
        } else if (op === OP.metadata) {
          out.metadata.set(cur.string(), cur.map());
        } else if (op === OP.message) {
          const m = parseMessage(cur, n);
          out.chunks.push({ offset, length: 9 + n, start: m.logTime, end: m.logTime });
        } else inner(op, cur, n);
      } catch (err) {
        throw corrupt(source, offset, err);
      }
    }
    offset += 9 + n;
  }
  return { ...out, truncatedAt };
}
