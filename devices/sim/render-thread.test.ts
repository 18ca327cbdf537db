import { describe, expect, it } from 'vitest';
import { BufferPool, ManualClock, SystemClock, silentLogger, type AnySample, type TimestampNs } from '../../src/core/index.ts';
import { SimAdapter } from './adapter.ts';
import { simCellDriver } from './driver.ts';
import { renderFrame } from './render-frame.ts';
import { RenderThread } from './render-thread.ts';
import { SimWorld } from './world.ts';

const T = 1_800_000_000_000_000_000n;
const bytes = (d: Uint8Array | Uint16Array): Buffer => Buffer.from(d.buffer, d.byteOffset, d.byteLength);

/** Remembers the first `now()`: the instant the adapter was opened (its first frame follows it). */
class RecordingClock extends SystemClock {
  first: TimestampNs | undefined;
  override now(): TimestampNs {
    const t = super.now();
    this.first ??= t;
    return t;
  }
}

describe('sim render thread', () => {
  it('renders the very bytes the in-thread renderer does, into pooled buffers that come back', async () => {
    const world = new SimWorld({ seed: 7, lineHz: 50 });
    const pool = new BufferPool();
    for (const sensor of ['camera', 'depth'] as const) {
      const r = await RenderThread.start(sensor, { seed: 7, lineHz: 50 }, pool);
      // Requests in flight together resolve in order.
      const ts = [0n, 33_000_000n, 1_500_000_000n, 61_000_000_000n].map((d) => T + d);
      const frames = await Promise.all(ts.map((t, k) => r.render(t, k)));
      frames.forEach((f, k) => expect(bytes(f.data).equals(bytes(renderFrame(world, sensor, ts[k] as bigint, k).data)), `${sensor} frame ${k}`).toBe(true));
      for (const f of frames) r.discard(f);
      await r.close();
    }
    // 4 camera + 4 depth buffers allocated once, all back in the pool.
    expect(pool.stats()).toMatchObject({ allocated: 8, idle: 8 });
  });

  it('live (system clock): camera frames render off the main thread, in order, identical to in-thread rendering', async () => {
    const clock = new RecordingClock();
    const pool = new BufferPool();
    const options = simCellDriver.parseOptions({ sensor: 'camera', seed: 7 }, 'sources.cam');
    const adapter = await simCellDriver.open(options, { sourceId: 'cam', clock, log: silentLogger, pool });
    const got: AnySample[] = [];
    for await (const s of adapter.samples()) {
      got.push(s);
      if (got.length === 6) break;
    }
    const stats = adapter.stats() as ReturnType<typeof adapter.stats> & { renderedOffThread: number };
    await adapter.close();
    expect(stats.renderedOffThread).toBeGreaterThanOrEqual(6);
    expect(got.map((s) => s.seq)).toEqual(got.map((_, i) => (got[0]?.seq ?? 0) + i));
    // Re-render the same device frames here: same world, same capture instants, same bytes.
    const world = new SimWorld({ seed: 7, lineHz: 50 });
    const dev = world.clock('camera', { clock: {}, dropout: 0 });
    const first = dev.frameAtOrBefore(clock.first as bigint) + 1;
    for (const s of got) {
      const k = first + s.seq;
      const data = s.kind === 'image' ? s.payload.data : new Uint8Array(0);
      expect(bytes(data).equals(bytes(renderFrame(world, 'camera', dev.captureTime(k), k).data)), `seq ${s.seq}`).toBe(true);
    }
  });

  it('stays in-thread on a manual clock (frames must exist the instant they are due), and can be forced either way', async () => {
    const clock = new ManualClock();
    const adapter = await simCellDriver.open(simCellDriver.parseOptions({ sensor: 'depth', seed: 7 }, 's.d'), { sourceId: 'd', clock, log: silentLogger });
    const got: AnySample[] = [];
    const reading = (async () => {
      for await (const s of adapter.samples()) got.push(s);
    })();
    await clock.advance(200_000_000n);
    const stats = adapter.stats() as ReturnType<typeof adapter.stats> & { renderedOffThread: number };
    await adapter.close();
    await reading;
    expect(got.length).toBeGreaterThanOrEqual(5);
    expect(stats.renderedOffThread).toBe(0);
    expect(simCellDriver.parseOptions({ sensor: 'depth', seed: 1, renderThread: false }, 's.d').renderThread).toBe(false);
    expect(() => simCellDriver.parseOptions({ sensor: 'depth', seed: 1, renderThread: 'yes' }, 's.d')).toThrow(/^s\.d\.renderThread: expected true or false/);
  });

  it('a crashed render thread takes nothing down: frames keep coming, rendered in-thread, in order', async () => {
    const options = simCellDriver.parseOptions({ sensor: 'camera', seed: 7 }, 'sources.cam');
    const world = new SimWorld({ seed: 7, lineHz: 50 });
    const renderer = await RenderThread.start('camera', { seed: 7, lineHz: 50 });
    const clock = new SystemClock();
    const adapter = new SimAdapter(world, options, { sourceId: 'cam', clock, log: silentLogger }, world.clock('camera', { clock: {}, dropout: 0 }), undefined, renderer);
    const got: AnySample[] = [];
    for await (const s of adapter.samples()) {
      got.push(s);
      if (got.length === 3) renderer.crash();
      if (got.length === 12) break;
    }
    await expect(renderer.render(T, 0)).rejects.toThrow(/render worker (crashed|exited)/);
    await adapter.close();
    expect(got.map((s) => s.seq)).toEqual(got.map((_, i) => (got[0]?.seq ?? 0) + i));
  });
});
