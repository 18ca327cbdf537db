import { readFile } from 'node:fs/promises';
import {
  DeviceError, type DeviceAdapter, type DeviceContext, type DeviceDriver, type DeviceListing, type SourceDescription,
} from '../../../src/core/index.ts';
import { PlaybackAdapter } from '../../transport/playback-adapter.ts';
import { parseRealSenseBagOptions, type RealSenseBagOptions } from './options.ts';
import { readRealSenseBag } from './reader.ts';

/**
 * `depth/realsense-bag`: plays a RealSense recording at its recorded pace (frame spacing from the
 * camera's `header.stamp`), as a live camera would deliver it. `deviceT` is that stamp (the
 * camera's hardware clock); `t` and `receivedAt` are when playback delivers the frame.
 */
class RealSenseBagAdapter extends PlaybackAdapter {
  constructor(ctx: DeviceContext) {
    super(ctx, 4);
  }

  async start(o: RealSenseBagOptions, ctx: DeviceContext): Promise<void> {
    let rec;
    try {
      rec = readRealSenseBag(new Uint8Array(await readFile(o.path)));
    } catch (err) {
      throw new DeviceError(`depth/realsense-bag: cannot play ${o.path}`, { cause: err });
    }
    const items = o.stream === 'depth' ? rec.depth.map((d) => ({ stamp: d.stampNs, kind: 'depth' as const, payload: d.frame })) : rec.color.map((c) => ({ stamp: c.stampNs, kind: 'image' as const, payload: c.frame }));
    if (items.length === 0) throw new DeviceError(`depth/realsense-bag: ${o.path} has no ${o.stream} frames`);
    const first = items[0]!.stamp;
    const span = items.length > 1 ? items.at(-1)!.stamp - first : 0n;
    const spacing = items.length > 1 ? span / BigInt(items.length - 1) : BigInt(Math.round(1e9 / o.fps));
    ctx.onEvent?.({ type: 'connected', at: ctx.clock.now() });
    this.play({
      clock: ctx.clock,
      count: items.length,
      offsetNs: (i) => items[i]!.stamp - first,
      periodNs: span + spacing,
      loop: o.loop,
      onItem: (i, pass, due) => {
        const it = items[i]!;
        const head = { sourceId: this.sourceId, seq: this.nextSeq(), t: due, deviceT: it.stamp + BigInt(pass) * (span + spacing), receivedAt: due };
        const data = it.payload.data.slice(); // each delivery owns its buffer (workers may take it)
        this.queue.push(it.kind === 'depth' ? { ...head, kind: 'depth', payload: { ...it.payload, data: data as Uint16Array } } : { ...head, kind: 'image', payload: { ...it.payload, data: data as Uint8Array } });
      },
    });
  }
}

export const realsenseBagDriver: DeviceDriver<RealSenseBagOptions> = {
  name: 'depth/realsense-bag',
  parseOptions: parseRealSenseBagOptions,
  describe(o: RealSenseBagOptions): SourceDescription {
    return o.stream === 'depth'
      ? { kind: 'depth', modality: 'depth', nominalHz: o.fps, bytesPerSample: 640 * 480 * 2 }
      : { kind: 'image', modality: 'camera', nominalHz: o.fps, bytesPerSample: 640 * 480 * 3 };
  },
  list(): Promise<DeviceListing> {
    return Promise.resolve({ devices: [], problems: [] });
  },
  async open(o: RealSenseBagOptions, ctx: DeviceContext): Promise<DeviceAdapter> {
    const a = new RealSenseBagAdapter(ctx);
    await a.start(o, ctx);
    return a;
  },
};
