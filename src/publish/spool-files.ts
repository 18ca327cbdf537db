import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { PublishError } from '../core/errors.ts';
import type { OutboundMessage } from './publisher.ts';
import { encodeRecord } from './segment-codec.ts';

/** What a message record's JSON header holds; the payload itself is the record's data bytes. */
export type StoredMeta = Omit<OutboundMessage, 'payload' | 'correlationData'> & { bin?: true; corr?: string };
export interface MessageMeta {
  i: number;
  t: number;
  m: StoredMeta;
}

/** Ack-log records: acknowledged ids, dropped ids, or a snapshot written when the log is compacted. */
export interface AckRecord {
  a?: number[];
  d?: number[];
  snapshot?: { floor: number; nextId: number; seqs: Record<string, number>; done: number[] };
}

export const SEGMENT = /^seg-(\d{12})\.log$/;
export const segName = (firstId: number): string => `seg-${String(firstId).padStart(12, '0')}.log`;

/** The record header of a message (the payload travels as the record's data bytes). */
export function messageMeta(id: number, t: number, msg: OutboundMessage): MessageMeta {
  // Built field by field (no spreads): this runs once per result on the publishing hot path.
  const m: StoredMeta = { topic: msg.topic, qos: msg.qos };
  if (msg.retain) m.retain = msg.retain;
  if (msg.expirySec !== undefined) m.expirySec = msg.expirySec;
  if (msg.schema !== undefined) m.schema = msg.schema;
  if (msg.stream !== undefined) m.stream = msg.stream;
  if (msg.seq !== undefined) m.seq = msg.seq;
  if (msg.contentType !== undefined) m.contentType = msg.contentType;
  if (typeof msg.payload !== 'string') m.bin = true;
  if (msg.correlationData) m.corr = Buffer.from(msg.correlationData).toString('base64');
  return { i: id, t, m };
}

/**
 * The JSON of {@link messageMeta}, fast for the common case: a result stream's messages differ only
 * in id, time and seq, so the rest of the header is serialised once per shape and reused (a
 * measurable share of the spool's cost per message). Decodes to the same object either way.
 */
export class MetaEncoder {
  #shape: OutboundMessage | undefined;
  #prefix = '';

  json(id: number, t: number, msg: OutboundMessage): string {
    if (msg.correlationData || !Number.isFinite(t)) return JSON.stringify(messageMeta(id, t, msg));
    const s = this.#shape;
    if (!s || s.topic !== msg.topic || s.qos !== msg.qos || s.retain !== msg.retain || s.expirySec !== msg.expirySec || s.schema !== msg.schema || s.stream !== msg.stream || s.contentType !== msg.contentType || typeof s.payload !== typeof msg.payload) {
      const { seq: _seq, ...rest } = msg;
      // `{"topic":…,"qos":1,…}` without its closing brace; seq (when present) is appended last.
      this.#prefix = JSON.stringify(messageMeta(0, 0, rest).m).slice(0, -1);
      this.#shape = msg;
    }
    return `{"i":${id},"t":${t},"m":${this.#prefix}${msg.seq !== undefined && Number.isFinite(msg.seq) ? `,"seq":${msg.seq}` : ''}}}`;
  }
}

export function encodeMessage(id: number, t: number, msg: OutboundMessage): Buffer {
  return encodeRecord(messageMeta(id, t, msg), msg.payload);
}

export function decodeMessage(meta: MessageMeta, data: Buffer): OutboundMessage {
  const { bin, corr, ...rest } = meta.m;
  return {
    ...rest,
    payload: bin ? new Uint8Array(data) : data.toString('utf8'),
    ...(corr !== undefined ? { correlationData: new Uint8Array(Buffer.from(corr, 'base64')) } : {}),
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One process per spool directory: two writers would interleave ids. A lock file holds the
 * owner's pid; a stale lock (that process is gone — e.g. after kill -9) is taken over.
 */
export function lockSpoolDir(dir: string): () => void {
  const path = join(dir, 'LOCK');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => {
        try {
          unlinkSync(path);
        } catch {
          /* already gone */
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new PublishError(`spool ${dir} is in use by process ${pid}; give each runtime its own outputs.mqtt.spool.dir`, { code: 'E_SPOOL_LOCKED' });
      }
      unlinkSync(path);
    }
  }
  throw new PublishError(`spool ${dir}: cannot take the lock`, { code: 'E_SPOOL_LOCKED' });
}
