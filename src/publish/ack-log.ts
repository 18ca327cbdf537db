import { closeSync, fsyncSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeRecord } from './segment-codec.ts';
import type { AckRecord } from './spool-files.ts';

/**
 * A spool's ack log (`acks.log`): ack and drop records appended, and now and then replaced by a
 * snapshot record (floor, next id, last seq per stream, acknowledged ids above the floor). The
 * snapshot goes to a temporary file, is fsynced and then renamed over the log, so a crash at any
 * point leaves either the old log or the new one, each complete.
 */
export class AckLog {
  readonly #path: string;
  readonly #tmp: string;
  #fd: number | undefined;
  #size: number;
  /** Records appended while a snapshot is on its way: the log they went to is about to be replaced. */
  #since: AckRecord[] | undefined;

  constructor(dir: string) {
    this.#path = join(dir, 'acks.log');
    this.#tmp = join(dir, 'acks.log.tmp');
    this.#fd = openSync(this.#path, 'a');
    this.#size = statSync(this.#path).size;
  }

  /** The open log's descriptor (undefined once closed), for the spool's batched fsync. */
  get fd(): number | undefined {
    return this.#fd;
  }

  /** Bytes in the log: the spool replaces it by a snapshot when it grows. */
  get size(): number {
    return this.#size;
  }

  /** Appends a record (written now, durable at the next fsync). */
  append(rec: AckRecord): void {
    if (this.#fd === undefined) throw new Error('ack log closed');
    const buf = encodeRecord(rec);
    writeSync(this.#fd, buf);
    this.#size += buf.length;
    this.#since?.push(rec);
  }

  /** Replaces the log by `snapshot` on this thread (opening a spool; `sync()`). */
  replaceSync(snapshot: AckRecord): void {
    const buf = encodeRecord(snapshot);
    const fd = openSync(this.#tmp, 'w');
    try {
      writeSync(fd, buf);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.#swap(buf.length);
  }

  /**
   * Replaces the log by `snapshot`, writing and fsyncing it on libuv's thread pool (on an SD card
   * that fsync can take tens of milliseconds the event loop must not wait). Records appended
   * meanwhile are appended again after the swap. On failure the old log stays, complete, and the
   * error is thrown.
   */
  async replace(snapshot: AckRecord): Promise<void> {
    const buf = encodeRecord(snapshot);
    this.#since = [];
    try {
      const fh = await open(this.#tmp, 'w');
      try {
        await fh.write(buf);
        await fh.sync();
      } finally {
        await fh.close();
      }
    } catch (err) {
      this.#since = undefined;
      await unlink(this.#tmp).catch(() => undefined);
      throw err;
    }
    const since = this.#since;
    this.#since = undefined;
    if (this.#fd === undefined) {
      await unlink(this.#tmp).catch(() => undefined); // closed meanwhile: the old log is complete
      return;
    }
    this.#swap(buf.length);
    for (const rec of since) this.append(rec);
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  #swap(size: number): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    renameSync(this.#tmp, this.#path);
    this.#fd = openSync(this.#path, 'a');
    this.#size = size;
  }
}
