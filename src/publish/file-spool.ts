import { close, closeSync, fsync, fsyncSync, mkdirSync, openSync, statSync, unlink, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../core/logger.ts';
import { silentLogger } from '../core/logger.ts';
import type { OutboundMessage } from './publisher.ts';
import { AckLog } from './ack-log.ts';
import { encodeJsonRecordInto } from './segment-codec.ts';
import { MetaEncoder, encodeMessage, lockSpoolDir, segName, type AckRecord } from './spool-files.ts';
import { recoverSpool, type RecoveredEntry, type RecoveredSpool } from './spool-recovery.ts';
import type { Spool, SpoolEntry, SpoolStats } from './spool.ts';

export interface FileSpoolOptions {
  dir: string;
  /** Most bytes of unacknowledged messages kept; beyond it the oldest are dropped (counted). Default 64 MiB. */
  maxBytes?: number;
  /** Messages older than this are dropped (counted). Default 7 days. */
  maxAgeMs?: number;
  /** Segment file size before rotating. Default 4 MiB. */
  segmentBytes?: number;
  /**
   * fsync cadence. Appends are written in a group commit at the end of the current task (before
   * any message is sent, and before anything else runs), so they survive kill -9 through the page
   * cache; fsync — what survives a power cut — is batched to this interval. Default 200 ms; 0 = at
   * every group commit.
   */
  fsyncIntervalMs?: number;
  /** Wall clock in ms (injectable for tests of the age bound). */
  nowMs?: () => number;
  log?: Logger;
  onDrop?: (entry: SpoolEntry) => void;
}

type Entry = RecoveredEntry;
type Segment = RecoveredSpool['segments'][number];

/**
 * The durable outbox for QoS ≥ 1 messages: append-only segment files plus an ack log, keyed by our
 * own monotonic ids (never the 16-bit MQTT packet id). Survives kill -9 (every append is written
 * before `append` returns) and, within `fsyncIntervalMs`, a power cut. Bounded by bytes and age
 * with drop-oldest, every drop counted and reported. Segments whose messages are all acknowledged
 * are deleted; a torn tail (crash mid-write) is cut back to the last whole record on open.
 */
export class FileSpool implements Spool {
  readonly #o: Required<Omit<FileSpoolOptions, 'onDrop' | 'log'>> & Pick<FileSpoolOptions, 'onDrop'>;
  readonly #log: Logger;
  /** Entries in id order; `#head` skips the acknowledged prefix (no O(n) shift per ack). */
  #entries: Entry[] = [];
  #head = 0;
  #done = new Set<number>();
  #floor = 0;
  #nextId = 1;
  #seqs: Record<string, number> = {};
  #bytes = 0;
  #unacked = 0;
  #dropped = 0;
  #segments: Segment[] = [];
  #fd: number | undefined;
  #segSize = 0;
  #acks: AckLog | undefined;
  /** Group-commit buffer: records of the current task, written in one go (no Buffer per record). */
  #wbuf = Buffer.allocUnsafe(1 << 20);
  #wlen = 0;
  readonly #meta = new MetaEncoder();
  #writeScheduled = false;
  #pendingAcks: number[] = [];
  #pendingDrops: number[] = [];
  #dirty = false;
  /** Segments rotated out: fsynced and closed by the next sync. */
  #retired: number[] = [];
  /** The batching timer's fsync (and compaction after it), running on the thread pool. */
  #syncing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #unlock: (() => void) | undefined;
  #recovered = { entries: 0, tornBytes: 0 };

  constructor(options: FileSpoolOptions) {
    this.#o = {
      dir: options.dir,
      maxBytes: options.maxBytes ?? 64 * 1024 * 1024,
      maxAgeMs: options.maxAgeMs ?? 7 * 24 * 3600 * 1000,
      segmentBytes: options.segmentBytes ?? 4 * 1024 * 1024,
      fsyncIntervalMs: options.fsyncIntervalMs ?? 200,
      nowMs: options.nowMs ?? (() => Date.now()),
      onDrop: options.onDrop,
    };
    this.#log = options.log ?? silentLogger;
    mkdirSync(this.#o.dir, { recursive: true });
    this.#unlock = lockSpoolDir(this.#o.dir);
    this.#recover();
    if (this.#o.fsyncIntervalMs > 0) {
      this.#timer = setInterval(() => this.#syncInBackground(), this.#o.fsyncIntervalMs);
      this.#timer.unref();
    }
  }

  /** What the last open found: unacknowledged entries and bytes cut from a torn tail. */
  get recovered(): { entries: number; tornBytes: number } {
    return this.#recovered;
  }

  append(msg: OutboundMessage): SpoolEntry {
    const id = this.#nextId++;
    const t = this.#o.nowMs();
    const meta = this.#meta.json(id, t, msg);
    let size = encodeJsonRecordInto(this.#wbuf, this.#wlen, meta, msg.payload);
    if (size < 0) {
      // Buffer full (or one huge record): write what is there, then encode again.
      this.#flushWrites();
      size = encodeJsonRecordInto(this.#wbuf, 0, meta, msg.payload);
      if (size < 0) {
        const rec = encodeMessage(id, t, msg);
        this.#wbuf = Buffer.allocUnsafe(Math.max(this.#wbuf.length, rec.length * 2));
        rec.copy(this.#wbuf, 0);
        size = rec.length;
      }
    }
    if (this.#fd === undefined || this.#segSize + size > this.#o.segmentBytes) {
      // Rotate first: the record just encoded stays in the buffer for the new segment.
      const pending = Buffer.from(this.#wbuf.subarray(this.#wlen, this.#wlen + size));
      this.#rotate(id);
      pending.copy(this.#wbuf, 0);
      this.#wlen = 0;
    }
    this.#wlen += size;
    if (!this.#writeScheduled) {
      this.#writeScheduled = true;
      queueMicrotask(() => this.#flushWrites());
    }
    this.#segSize += size;
    (this.#segments[this.#segments.length - 1] as Segment).lastId = id;
    const entry: Entry = { id, msg, bytes: size, t };
    this.#entries.push(entry);
    this.#bytes += size;
    this.#unacked++;
    if (msg.stream !== undefined && msg.seq !== undefined) this.#seqs[msg.stream] = Math.max(this.#seqs[msg.stream] ?? -1, msg.seq);
    this.#dirty = true;
    this.#enforceBounds();
    return entry;
  }

  /** The group commit: everything appended in this task, in one write. */
  #flushWrites(): void {
    this.#writeScheduled = false;
    if (this.#wlen === 0 || this.#fd === undefined) return;
    let off = 0;
    while (off < this.#wlen) off += writeSync(this.#fd, this.#wbuf, off, this.#wlen - off);
    this.#wlen = 0;
    if (this.#o.fsyncIntervalMs === 0) this.sync();
  }

  after(afterId: number, max: number): SpoolEntry[] {
    const out: SpoolEntry[] = [];
    const es = this.#entries;
    let lo = this.#head;
    let hi = es.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((es[mid] as Entry).id <= afterId) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < es.length && out.length < max; i++) {
      const e = es[i] as Entry;
      if (!this.#done.has(e.id)) out.push(e);
    }
    return out;
  }

  ack(id: number): void {
    if (id <= this.#floor || this.#done.has(id) || id >= this.#nextId) return;
    this.#done.add(id);
    this.#unacked--;
    this.#pendingAcks.push(id);
    this.#dirty = true;
    this.#compactMemory();
  }

  lastSeq(stream: string): number | undefined {
    return this.#seqs[stream];
  }

  get pending(): number {
    return this.#unacked;
  }

  stats(): SpoolStats {
    let oldest: Entry | undefined;
    for (let i = this.#head; i < this.#entries.length; i++) {
      const e = this.#entries[i] as Entry;
      if (!this.#done.has(e.id)) {
        oldest = e;
        break;
      }
    }
    return { entries: this.#unacked, bytes: this.#bytes, dropped: this.#dropped, oldestAgeMs: oldest ? Math.max(0, this.#o.nowMs() - oldest.t) : 0 };
  }

  /**
   * Writes pending acks/drops and fsyncs everything now, on this thread (close, `fsync: 0`, tests).
   * The batching timer uses {@link #syncInBackground} instead.
   */
  sync(): void {
    this.#writeAcks();
    for (const fd of this.#retired.splice(0)) {
      fsyncSync(fd);
      closeSync(fd);
    }
    if (!this.#dirty) return;
    this.#dirty = false;
    if (this.#fd !== undefined) fsyncSync(this.#fd);
    if (this.#acks?.fd !== undefined) fsyncSync(this.#acks.fd);
    // A background sync still holds the ack log's fd; it compacts when it is done.
    if (!this.#syncing) this.#compactFiles();
  }

  /**
   * The batching timer: the writes happen now, the fsyncs on libuv's thread pool — on an SD card
   * one can take tens of milliseconds, and the event loop (device I/O, MQTT keepalive) must not
   * wait for it. One at a time; a tick that finds one running leaves its work to the next.
   */
  #syncInBackground(): void {
    if (this.#syncing || this.#acks?.fd === undefined) return;
    this.#writeAcks();
    if (!this.#dirty && this.#retired.length === 0) return;
    this.#dirty = false;
    const retired = this.#retired.splice(0);
    const live = [this.#fd, this.#acks.fd].filter((fd): fd is number => fd !== undefined);
    const fsyncOne = (fd: number): Promise<void> =>
      new Promise((resolve) =>
        fsync(fd, (err) => {
          if (err) {
            this.#dirty = true;
            this.#log.error({ err: err.message }, 'spool: fsync failed; will retry');
          }
          resolve();
        }),
      );
    this.#syncing = Promise.all([
      ...live.map(fsyncOne),
      ...retired.map((fd) => fsyncOne(fd).then(() => new Promise<void>((resolve) => close(fd, () => resolve())))),
    ])
      .then(() => this.#compactInBackground())
      .then(() => {
        this.#syncing = undefined;
      });
  }

  /** Flushes the group-commit buffer and appends the pending ack/drop record to the ack log. */
  #writeAcks(): void {
    if (this.#wlen) this.#flushWrites();
    if (this.#pendingAcks.length || this.#pendingDrops.length) {
      const rec: AckRecord = {};
      if (this.#pendingAcks.length) rec.a = this.#pendingAcks.splice(0);
      if (this.#pendingDrops.length) rec.d = this.#pendingDrops.splice(0);
      (this.#acks as AckLog).append(rec);
      this.#dirty = true;
    }
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    if (this.#acks?.fd === undefined) return;
    await this.#syncing;
    this.sync();
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#acks.close();
    this.#fd = undefined;
    this.#unlock?.();
  }

  // ---- internals --------------------------------------------------------------------------------

  #recover(): void {
    const r = recoverSpool(this.#o.dir, this.#log);
    this.#entries = r.entries;
    this.#floor = r.floor;
    this.#nextId = r.nextId;
    this.#seqs = r.seqs;
    this.#done = r.done;
    this.#segments = r.segments;
    for (const e of r.entries) this.#bytes += e.bytes;
    this.#unacked = r.entries.length;
    this.#recovered = { entries: r.entries.length, tornBytes: r.tornBytes };
    const last = r.segments[r.segments.length - 1];
    if (last) {
      this.#fd = openSync(last.path, 'a');
      this.#segSize = statSync(last.path).size;
    }
    this.#acks = new AckLog(this.#o.dir);
    this.#compactMemory();
    this.#compactFiles();
  }

  #rotate(firstId: number): void {
    this.#flushWrites();
    // Its fsync (and close) happens with the next sync, off the event loop.
    if (this.#fd !== undefined) this.#retired.push(this.#fd);
    const path = join(this.#o.dir, segName(firstId));
    this.#fd = openSync(path, 'a');
    this.#segSize = 0;
    this.#segments.push({ firstId, lastId: firstId - 1, path });
  }

  /** Drops the oldest unacknowledged messages beyond the byte or age bound (counted). */
  #enforceBounds(): void {
    const now = this.#o.nowMs();
    for (let i = this.#head; i < this.#entries.length; i++) {
      const e = this.#entries[i] as Entry;
      if (this.#done.has(e.id)) continue;
      if (this.#bytes <= this.#o.maxBytes && now - e.t <= this.#o.maxAgeMs) break;
      this.#done.add(e.id);
      this.#unacked--;
      this.#pendingDrops.push(e.id);
      this.#dropped++;
      this.#dirty = true;
      this.#o.onDrop?.(e);
      this.#bytes -= e.bytes;
      e.bytes = 0;
    }
    this.#compactMemory();
  }

  /** Moves the floor over the acknowledged prefix; the array itself is trimmed only now and then. */
  #compactMemory(): void {
    const es = this.#entries;
    while (this.#head < es.length) {
      const head = es[this.#head] as Entry;
      if (!this.#done.has(head.id)) break;
      this.#head++;
      this.#bytes -= head.bytes;
      this.#done.delete(head.id);
      this.#floor = Math.max(this.#floor, head.id);
    }
    if (this.#head > 1024 && this.#head * 2 > es.length) {
      this.#entries = es.slice(this.#head);
      this.#head = 0;
    }
    if (this.#head >= this.#entries.length) this.#floor = Math.max(this.#floor, this.#nextId - 1);
  }

  /** Segments before this index hold only acknowledged ids (the newest is kept for appending). */
  #deletableSegments(): number {
    let n = 0;
    while (n < this.#segments.length - 1 && (this.#segments[n] as Segment).lastId <= this.#floor) n++;
    return n;
  }

  /** Whether the files want compacting: segments to delete, or an ack log past 1 MiB. */
  #compactable(n: number): boolean {
    return n > 0 || (this.#acks?.size ?? 0) >= 1 << 20;
  }

  #snapshot(): AckRecord {
    return { snapshot: { floor: this.#floor, nextId: this.#nextId, seqs: { ...this.#seqs }, done: [...this.#done] } };
  }

  /**
   * Deletes fully acknowledged segments and rewrites the ack log as a snapshot, on this thread (at
   * open, and from `sync()`). The snapshot is written (atomic rename) before any segment is deleted,
   * so the floor, next id and last seq per stream survive a crash between the two steps.
   */
  #compactFiles(): void {
    const n = this.#deletableSegments();
    if (!this.#compactable(n) || !this.#acks) return;
    this.#acks.replaceSync(this.#snapshot());
    for (const seg of this.#segments.splice(0, n)) unlinkSync(seg.path);
  }

  /**
   * The same compaction from the batching timer, its snapshot fsynced on the thread pool (see
   * {@link AckLog.replace}). A failed snapshot leaves the old ack log, still complete, and the
   * segments; the next sync tries again.
   */
  async #compactInBackground(): Promise<void> {
    const n = this.#deletableSegments();
    if (!this.#compactable(n) || !this.#acks) return;
    try {
      await this.#acks.replace(this.#snapshot());
      this.#dirty = true; // records appended again after the swap: the next tick fsyncs them
    } catch (err) {
      this.#log.error({ err: (err as Error).message }, 'spool: ack log compaction failed; keeping the old log');
      return;
    }
    // The snapshot is durable, so the segments may go; deleting 4 MiB files is the thread pool's job.
    for (const seg of this.#segments.splice(0, n)) unlink(seg.path, () => undefined);
  }
}
