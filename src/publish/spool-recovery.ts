import { readFileSync, readdirSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../core/logger.ts';
import { decodeRecords } from './segment-codec.ts';
import { SEGMENT, decodeMessage, type AckRecord, type MessageMeta } from './spool-files.ts';
import type { SpoolEntry } from './spool.ts';

export type RecoveredEntry = SpoolEntry & { t: number };

/** What a spool directory holds after a (clean or crashed) stop. */
export interface RecoveredSpool {
  /** Unacknowledged messages, in id order. */
  entries: RecoveredEntry[];
  /** Every id up to here is acknowledged or dropped. */
  floor: number;
  nextId: number;
  /** Highest seq per stream ever appended. */
  seqs: Record<string, number>;
  /** Acknowledged ids above the floor. */
  done: Set<number>;
  segments: { firstId: number; lastId: number; path: string }[];
  /** Bytes cut from torn or damaged tails. */
  tornBytes: number;
}

/**
 * Reads a spool directory back: the ack log (snapshot + ack/drop records), then every segment in
 * order. A torn tail (crash mid-write) is cut back to the last whole record, in place, so appending
 * can continue; only the newest segment can legitimately end torn — elsewhere it is logged as damage.
 */
export function recoverSpool(dir: string, log: Logger): RecoveredSpool {
  const r: RecoveredSpool = { entries: [], floor: 0, nextId: 1, seqs: {}, done: new Set(), segments: [], tornBytes: 0 };
  const ackPath = join(dir, 'acks.log');
  try {
    const buf = readFileSync(ackPath);
    const dec = decodeRecords<AckRecord>(buf);
    for (const { meta } of dec.records) {
      if (meta.snapshot) {
        r.floor = meta.snapshot.floor;
        r.nextId = Math.max(r.nextId, meta.snapshot.nextId);
        r.seqs = { ...meta.snapshot.seqs };
        r.done = new Set(meta.snapshot.done);
      }
      for (const id of meta.a ?? []) r.done.add(id);
      for (const id of meta.d ?? []) r.done.add(id);
    }
    if (dec.stopped) {
      truncateSync(ackPath, dec.validBytes);
      r.tornBytes += buf.length - dec.validBytes;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const files = readdirSync(dir)
    .filter((f) => SEGMENT.test(f))
    .sort();
  for (const [k, f] of files.entries()) {
    const path = join(dir, f);
    const buf = readFileSync(path);
    const dec = decodeRecords<MessageMeta>(buf);
    if (dec.stopped) {
      const where = k === files.length - 1 ? 'torn tail' : 'damaged segment';
      log.warn({ file: f, offset: dec.stopped.offset, reason: dec.stopped.reason }, `spool: ${where}; keeping the records before it`);
      truncateSync(path, dec.validBytes);
      r.tornBytes += buf.length - dec.validBytes;
    }
    const firstId = Number((SEGMENT.exec(f) as RegExpExecArray)[1]);
    r.nextId = Math.max(r.nextId, firstId);
    let lastId = firstId - 1;
    for (const { meta, data, size } of dec.records) {
      lastId = Math.max(lastId, meta.i);
      r.nextId = Math.max(r.nextId, meta.i + 1);
      const m = meta.m;
      if (m.stream !== undefined && m.seq !== undefined) r.seqs[m.stream] = Math.max(r.seqs[m.stream] ?? -1, m.seq);
      if (meta.i <= r.floor || r.done.has(meta.i)) continue;
      r.entries.push({ id: meta.i, msg: decodeMessage(meta, data), bytes: size, t: meta.t });
    }
    r.segments.push({ firstId, lastId, path });
  }
  r.entries.sort((a, b) => a.id - b.id);
  // Ids acknowledged but below every remaining record no longer need remembering.
  for (const id of r.done) if (id <= r.floor) r.done.delete(id);
  return r;
}
