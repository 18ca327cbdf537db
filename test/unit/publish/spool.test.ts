import { describe, expect, it } from 'vitest';
import { MemorySpool } from '../../../src/publish/spool.ts';
import { Topics } from '../../../src/publish/topics.ts';

const msg = (i: number) => ({ topic: 't', payload: `m${i}`, qos: 1 as const });

describe('MemorySpool', () => {
  it('returns unacknowledged entries in order after a cursor and compacts acked prefixes', () => {
    const s = new MemorySpool();
    const ids = [1, 2, 3, 4].map((i) => s.append(msg(i)).id);
    expect(s.after(0, 10).map((e) => e.msg.payload as string)).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(s.after(ids[1] as number, 10).map((e) => e.id)).toEqual([ids[2], ids[3]]);
    s.ack(ids[1] as number);
    expect(s.stats().entries).toBe(3);
    expect(s.after(0, 10).map((e) => e.msg.payload as string)).toEqual(['m1', 'm3', 'm4']);
    s.ack(ids[0] as number);
    expect(s.stats()).toMatchObject({ entries: 2 });
  });

  it('drops the oldest beyond its bound, counting and reporting each drop', () => {
    const dropped: string[] = [];
    const s = new MemorySpool({ maxEntries: 3, onDrop: (e) => dropped.push(e.msg.payload as string) });
    for (let i = 1; i <= 5; i++) s.append(msg(i));
    expect(dropped).toEqual(['m1', 'm2']);
    expect(s.stats()).toMatchObject({ entries: 3, dropped: 2 });
    expect(s.after(0, 10).map((e) => e.msg.payload as string)).toEqual(['m3', 'm4', 'm5']);
  });
});

describe('Topics', () => {
  it('lays out contract v1', () => {
    const t = new Topics({ prefix: 'sensorium', site: 'lab', device: 'cell-01' });
    expect(t.status()).toBe('sensorium/v1/lab/cell-01/status');
    expect(t.health()).toBe('sensorium/v1/lab/cell-01/health');
    expect(t.result('cell_state')).toBe('sensorium/v1/lab/cell-01/cell_state/result');
    expect(t.event('cell_state')).toBe('sensorium/v1/lab/cell-01/cell_state/event');
  });

  it('rejects levels that would break wildcards', () => {
    expect(() => new Topics({ prefix: 'a', site: 'lab/x', device: 'd' })).toThrow(/site/);
    expect(() => new Topics({ prefix: 'a', site: 'lab', device: '#' })).toThrow(/device/);
  });
});
