import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger, type Logger } from '../../../src/core/logger.ts';
import { FileSpool } from '../../../src/publish/file-spool.ts';

// Two seams, both pass-through: fsyncSync counted (the event loop must not wait for a disk), and
// the thread pool's fsync of the snapshot held at a gate, so a test can act while it is in flight.
const seam = vi.hoisted(() => ({ fsyncSync: 0, gate: undefined as Promise<void> | undefined, atGate: 0, fail: false }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return { ...fs, fsyncSync: (fd: number) => (seam.fsyncSync++, fs.fsyncSync(fd)) };
});
vi.mock('node:fs/promises', async (importOriginal) => {
  const fsp = await importOriginal<typeof import('node:fs/promises')>();
  const open: typeof fsp.open = async (...args) => {
    const fh = await fsp.open(...args);
    const sync = fh.sync.bind(fh);
    fh.sync = async () => {
      seam.atGate++;
      await seam.gate;
      if (seam.fail) throw Object.assign(new Error('ENOSPC: no space left on device, fsync'), { code: 'ENOSPC' });
      return sync();
    };
    return fh;
  };
  return { ...fsp, open };
});

const tmp = () => mkdtempSync(join(tmpdir(), 'sensorium-spool-'));
const msg = (i: number) => ({ topic: 't/result', payload: JSON.stringify({ seq: i }), qos: 1 as const, stream: 'p/result', seq: i });
const seqs = (s: FileSpool) => s.after(0, 1e9).map((e) => (JSON.parse(e.msg.payload as string) as { seq: number }).seq);
const segments = (dir: string) => readdirSync(dir).filter((f) => f.startsWith('seg-')).length;

afterEach(() => {
  seam.gate = undefined;
  seam.atGate = 0;
  seam.fail = false;
});

describe('FileSpool compaction from the batching timer', () => {
  it('writes and fsyncs the snapshot off the event loop', async () => {
    const dir = tmp();
    const s = new FileSpool({ dir, segmentBytes: 2000, fsyncIntervalMs: 5 });
    const before = seam.fsyncSync;
    for (let i = 0; i < 200; i++) s.ack(s.append(msg(i)).id);
    await vi.waitFor(() => expect(segments(dir)).toBe(1), { timeout: 5000, interval: 10 });
    expect(seam.atGate).toBeGreaterThan(0); // the snapshot's fsync went through the thread pool
    expect(seam.fsyncSync - before).toBe(0);
    await s.close();
    const r = new FileSpool({ dir });
    expect(r.stats().entries).toBe(0);
    expect(r.lastSeq('p/result')).toBe(199);
    await r.close();
  });

  it('keeps acknowledgements written while the snapshot is in flight', async () => {
    const dir = tmp();
    let release!: () => void;
    seam.gate = new Promise<void>((r) => (release = r));
    const s = new FileSpool({ dir, segmentBytes: 2000, fsyncIntervalMs: 5 });
    for (let i = 0; i < 100; i++) s.ack(s.append(msg(i)).id);
    await vi.waitFor(() => expect(seam.atGate).toBe(1), { timeout: 5000, interval: 5 });
    // The snapshot is taken and waiting for its fsync: new messages, some acknowledged, and a sync
    // that writes those acks to the ack log about to be replaced.
    const ids = Array.from({ length: 10 }, (_, k) => s.append(msg(100 + k)).id);
    for (const id of ids.slice(0, 5)) s.ack(id);
    s.sync();
    const held = segments(dir);
    release();
    await s.close(); // waits for the compaction in flight
    expect(segments(dir)).toBeLessThan(held);
    const r = new FileSpool({ dir });
    expect(seqs(r)).toEqual([105, 106, 107, 108, 109]);
    await r.close();
  });

  it('keeps the old ack log and the segments when the snapshot cannot be written, and tries again', async () => {
    const dir = tmp();
    const errors: string[] = [];
    const log = { ...silentLogger, error: (o: unknown, m?: string) => void errors.push(String(m ?? o)) } as Logger;
    seam.fail = true;
    const s = new FileSpool({ dir, segmentBytes: 2000, fsyncIntervalMs: 5, log });
    for (let i = 0; i < 100; i++) s.append(msg(i));
    for (let i = 1; i <= 60; i++) s.ack(i);
    const held = segments(dir);
    await vi.waitFor(() => expect(errors.length).toBeGreaterThan(0), { timeout: 5000, interval: 5 });
    expect(errors[0]).toMatch(/compaction failed/);
    expect(segments(dir)).toBe(held);
    expect(readdirSync(dir)).not.toContain('acks.log.tmp');
    seam.fail = false;
    s.append(msg(100)); // something to sync, so the next tick runs (and compacts)
    await vi.waitFor(() => expect(segments(dir)).toBeLessThan(held), { timeout: 5000, interval: 10 });
    await s.close();
    const r = new FileSpool({ dir });
    expect(seqs(r)).toEqual(Array.from({ length: 41 }, (_, k) => 60 + k));
    await r.close();
  });
});
