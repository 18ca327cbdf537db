import {
  AsyncQueue, type AdapterStats, type AnySample, type DeviceAdapter, type DeviceContext, type DeviceDriver, type DeviceListing, type SourceDescription,
} from '../../../src/core/index.ts';
import { parseWhipOptions, type WhipOptions } from './options.ts';
import { WhipEndpoint } from './whip-endpoint.ts';

/**
 * A camera that publishes to us over WebRTC (OBS, GStreamer `whipsink`, a browser page). Frames are
 * packed I420, stamped on arrival: the sink exposes no capture or RTP timestamp (sensor-protocols
 * §5.2), so `t` = `receivedAt` and there is no `deviceT`.
 */
class WhipAdapter implements DeviceAdapter {
  readonly sourceId: string;
  readonly #queue = new AsyncQueue<AnySample>(4);
  readonly endpoint: WhipEndpoint;
  #seq = 0;
  #publishers = 0;

  constructor(o: WhipOptions, ctx: DeviceContext) {
    this.sourceId = ctx.sourceId;
    this.endpoint = new WhipEndpoint(o, {
      onFrame: (f) => {
        const at = ctx.clock.now();
        this.#queue.push({ kind: 'image', sourceId: this.sourceId, seq: this.#seq++, t: at, receivedAt: at, payload: { width: f.width, height: f.height, format: 'i420', data: f.data } });
      },
      onPublisher: (state, detail) => {
        if (state === 'connected') this.#publishers++;
        ctx.log.info({ detail }, `WHIP publisher ${state}`);
        ctx.onEvent?.(state === 'connected' ? { type: 'connected', at: ctx.clock.now() } : { type: 'disconnected', at: ctx.clock.now(), reason: detail });
      },
    });
  }

  samples(): AsyncIterable<AnySample> {
    return this.#queue;
  }

  stats(): AdapterStats {
    return { samples: this.#seq, dropped: this.#queue.dropped, badBytes: 0, reconnects: Math.max(0, this.#publishers - 1) };
  }

  async close(): Promise<void> {
    await this.endpoint.close();
    this.#queue.close();
  }
}

export const whipCameraDriver: DeviceDriver<WhipOptions> = {
  name: 'camera/webrtc',
  parseOptions: parseWhipOptions,
  describe(o: WhipOptions): SourceDescription {
    return { kind: 'image', modality: 'camera', nominalHz: o.fps, bytesPerSample: (o.width * o.height * 3) / 2, latencyNs: 80_000_000n };
  },
  list(): Promise<DeviceListing> {
    return Promise.resolve({ devices: [], problems: ['camera/webrtc: publishers connect to us (WHIP POST to the endpoint); there is nothing to discover.'] });
  },
  async open(o: WhipOptions, ctx: DeviceContext): Promise<DeviceAdapter> {
    const a = new WhipAdapter(o, ctx);
    await a.endpoint.listen();
    return a;
  },
};
