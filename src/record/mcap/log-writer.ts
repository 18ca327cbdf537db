import { open, type FileHandle } from 'node:fs/promises';
import { LIBRARY_IDENTIFIER, McapWriter } from '@mcap/core';
import { chunkCompressor, type Compression } from './compression.ts';
import { schemaData, type SchemaName } from './schemas.ts';

/**
 * One MCAP file being written: chunked, compressed, with statistics, chunk/metadata indexes and
 * summary offsets (all McapWriter defaults). Every call must be awaited in order — McapWriter
 * corrupts the file otherwise (notes/mqtt-ecosystem.md §5.1, pitfall 1); the Recorder serialises
 * calls through one queue. Without `close()` the file has no summary, but every chunk already
 * written stays readable (see log-file.ts).
 */
export interface LogWriterOptions {
  path: string;
  /** Writer name for the MCAP header `library` (the @mcap/core version is appended). */
  library: string;
  compression: Compression;
  zstdLevel?: number;
  /** Uncompressed bytes per chunk. A crash loses at most the chunk being filled. */
  chunkSize: number;
  metadata: { name: string; entries: Record<string, string> }[];
}

export interface ChannelSpec {
  topic: string;
  schema: SchemaName;
  metadata: Record<string, string>;
}

/** Counts bytes as they are handed to the file (McapWriter asks for the position). */
class FileWritable {
  readonly #fh: FileHandle;
  #position = 0n;
  constructor(fh: FileHandle) {
    this.#fh = fh;
  }
  async write(buffer: Uint8Array): Promise<void> {
    let done = 0;
    while (done < buffer.byteLength) {
      const { bytesWritten } = await this.#fh.write(buffer, done, buffer.byteLength - done);
      done += bytesWritten;
    }
    this.#position += BigInt(buffer.byteLength);
  }
  position(): bigint {
    return this.#position;
  }
}

export class McapLogWriter {
  readonly path: string;
  readonly #fh: FileHandle;
  readonly #file: FileWritable;
  readonly #writer: McapWriter;
  readonly #schemas = new Map<string, number>();
  #closed = false;

  private constructor(path: string, fh: FileHandle, file: FileWritable, writer: McapWriter) {
    this.path = path;
    this.#fh = fh;
    this.#file = file;
    this.#writer = writer;
  }

  static async create(o: LogWriterOptions): Promise<McapLogWriter> {
    const compressChunk = await chunkCompressor(o.compression, o.zstdLevel);
    const fh = await open(o.path, 'w');
    const file = new FileWritable(fh);
    const writer = new McapWriter({ writable: file, chunkSize: o.chunkSize, ...(compressChunk ? { compressChunk } : {}) });
    const w = new McapLogWriter(o.path, fh, file, writer);
    await writer.start({ profile: '', library: `${o.library}; ${LIBRARY_IDENTIFIER}` });
    // Metadata goes first, outside any chunk: a file cut off later still says what produced it.
    for (const m of o.metadata) await writer.addMetadata({ name: m.name, metadata: new Map(Object.entries(m.entries)) });
    return w;
  }

  /** Registers a channel (and its schema, once per file); returns its id. */
  async channel(spec: ChannelSpec): Promise<number> {
    let schemaId = this.#schemas.get(spec.schema);
    if (schemaId === undefined) {
      schemaId = await this.#writer.registerSchema({ name: spec.schema, encoding: 'jsonschema', data: schemaData(spec.schema) });
      this.#schemas.set(spec.schema, schemaId);
    }
    return this.#writer.registerChannel({ topic: spec.topic, schemaId, messageEncoding: 'json', metadata: new Map(Object.entries(spec.metadata)) });
  }

  add(channelId: number, m: { sequence: number; logTime: bigint; publishTime: bigint; data: Uint8Array }): Promise<void> {
    // MCAP sequence is a u32; sample sequence numbers wrap there (documented in src/record/README.md).
    return this.#writer.addMessage({ channelId, sequence: m.sequence >>> 0, logTime: m.logTime, publishTime: m.publishTime, data: m.data });
  }

  /** Bytes handed to the file so far (chunks are written whole, when full). */
  get bytesWritten(): number {
    return Number(this.#file.position());
  }

  /** Writes the summary (schemas, channels, statistics, indexes) and closes the file. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#writer.end();
    } finally {
      await this.#fh.close();
    }
  }

  /** Closes the file without a summary (what a crash leaves; for tests and `abort`). */
  async abandon(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#fh.close();
  }
}
