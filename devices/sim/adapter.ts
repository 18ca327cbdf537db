import {
  AsyncQueue, type AdapterStats, type AnySample, type DepthFrame, type ImageFrame, type DeviceAdapter, type DeviceContext, type Timer, type TimestampNs,
} from '../../src/core/index.ts';
import type { ClockDomain } from './clock-domain.ts';
import { CHANNELS, EEG_RATE_HZ } from './eeg-profile.ts';
import { EegGenerator } from './eeg-generator.ts';
import type { SimCellOptions } from './options.ts';
import { HEIGHT, WIDTH } from './camera-model.ts';
import { renderFrame } from './render-frame.ts';
import type { RenderThread } from './render-thread.ts';
import { SENSORS, type SimSensor } from './sensors.ts';
import type { SimWorld } from './world.ts';

/** Queue depth per sensor: a few big frames, or ~2.5 s of scans/chunks, before oldest-drop. */
const QUEUE: Record<SimSensor, number> = { camera: 4, depth: 4, lidar: 32, eeg: 64 };
/** EEG generator warm-up at open, so the stream starts stationary (see eeg-generator.ts). */
const EEG_WARMUP_SAMPLES = 3 * EEG_RATE_HZ;

/**
 * Streams one simulated device: the world renders what the device captures at each of its frame
 * instants; this class is the "transport": it schedules delivery at `receivedAt` on `ctx.clock`,
 * applies dropouts and fault windows, and packages payloads as Samples. A wire-format variant
 * would replace `#package` with an encoder feeding the real device's FrameDecoder.
 */
export class SimAdapter implements DeviceAdapter {
  readonly sourceId: string;
  readonly #world: SimWorld;
  readonly #o: SimCellOptions;
  readonly #ctx: DeviceContext;
  readonly #clock: ClockDomain;
  readonly #queue: AsyncQueue<AnySample>;
  readonly #openedAt: TimestampNs;
  readonly #firstFrame: number;
  readonly #eeg: EegGenerator | undefined;
  /** Wire mode: delivered samples go to the wire encoder instead of the queue (wire/wire-adapter.ts). */
  readonly #sink: ((s: AnySample) => void) | undefined;
  /** Camera/depth rendered on their own thread (live runs); frames requested ahead of delivery. */
  readonly #renderer: RenderThread | undefined;
  readonly #frames = new Map<number, Promise<ImageFrame | DepthFrame>>();
  #timer: Timer | undefined;
  #closed = false;
  #silent = false;
  #stats: AdapterStats & { renderedOffThread: number } = { samples: 0, dropped: 0, badBytes: 0, reconnects: 0, renderedOffThread: 0 };

  constructor(world: SimWorld, options: SimCellOptions, ctx: DeviceContext, clock: ClockDomain, sink?: (s: AnySample) => void, renderer?: RenderThread) {
    this.sourceId = ctx.sourceId;
    this.#renderer = renderer;
    this.#sink = sink;
    this.#world = world;
    this.#o = options;
    this.#ctx = ctx;
    this.#clock = clock;
    this.#queue = new AsyncQueue(QUEUE[options.sensor]);
    this.#openedAt = ctx.clock.now();
    this.#firstFrame = clock.frameAtOrBefore(this.#openedAt) + 1;
    if (options.sensor === 'eeg') {
      const startIndex = this.#firstFrame * clock.o.frameSamples - EEG_WARMUP_SAMPLES;
      this.#eeg = new EegGenerator({
        seed: world.seed,
        profile: world.eeg,
        lineHz: world.lineHz,
        sampleTime: (n) => clock.gridTime(n),
        engagement: (t) => world.engagement(t),
        startIndex,
      });
      this.#eeg.next(EEG_WARMUP_SAMPLES);
    }
    ctx.onEvent?.({ type: 'connected', at: this.#openedAt });
    this.#schedule(this.#firstFrame);
  }

  samples(): AsyncIterable<AnySample> {
    return this.#queue;
  }

  stats(): AdapterStats {
    return { ...this.#stats, dropped: this.#stats.dropped + this.#queue.dropped };
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#timer?.cancel();
      this.#queue.close();
      return this.#renderer?.close() ?? Promise.resolve();
    }
    return Promise.resolve();
  }

  #schedule(k: number): void {
    if (this.#closed) return;
    // Off-thread rendering starts a frame period ahead, so the frame is ready when it is due.
    if (this.#renderer && !this.#inFault(this.#clock.captureTime(k)) && !this.#clock.dropped(k)) {
      const captured = this.#clock.captureTime(k);
      // The render thread gone (crashed): this frame, and the ones after it, render here instead.
      const inThread = (): ImageFrame | DepthFrame =>
        this.#o.sensor === 'camera'
          ? renderFrame(this.#world, 'camera', captured, k, this.#into(Uint8Array, WIDTH * HEIGHT * 3))
          : renderFrame(this.#world, 'depth', captured, k, this.#into(Uint16Array, WIDTH * HEIGHT));
      this.#frames.set(k, this.#renderer.render(captured, k).catch(inThread));
    }
    this.#timer = this.#ctx.clock.at(this.#clock.receivedAt(k), () => this.#deliver(k));
  }

  #deliver(k: number): void {
    if (this.#closed) return;
    const clock = this.#clock;
    const captured = clock.captureTime(k);
    // The EEG generator is the device's own state: it runs whether or not a chunk gets through.
    const eegData = this.#eeg?.next(clock.o.frameSamples);
    const silent = this.#inFault(captured);
    if (silent !== this.#silent) {
      this.#silent = silent;
      const at = this.#ctx.clock.now();
      if (silent) this.#ctx.onEvent?.({ type: 'disconnected', at, reason: 'simulated fault window' });
      else {
        this.#stats.reconnects++;
        this.#ctx.onEvent?.({ type: 'connected', at });
      }
    }
    const rendering = this.#frames.get(k);
    this.#frames.delete(k);
    if (silent || clock.dropped(k)) {
      this.#stats.dropped++;
      void rendering?.then((f) => this.#renderer?.discard(f));
    } else if (rendering) {
      // Frames come back in request order, so samples stay in order even when one is late.
      this.#stats.samples++;
      this.#stats.renderedOffThread++;
      void rendering.then(
        (frame) => (this.#closed ? this.#renderer?.discard(frame) : this.#emit(this.#package(k, captured, eegData, frame))),
        () => undefined, // closed while rendering
      );
    } else {
      this.#emit(this.#package(k, captured, eegData));
      this.#stats.samples++;
    }
    this.#schedule(k + 1);
  }

  #emit(sample: AnySample): void {
    if (this.#sink) this.#sink(sample);
    else this.#queue.push(sample);
  }

  #into<T extends Uint8Array | Uint16Array>(type: { new (b: ArrayBuffer): T; BYTES_PER_ELEMENT: number }, length: number): { into?: T } {
    const pool = this.#ctx.pool;
    return pool ? { into: new type(pool.acquire(length * type.BYTES_PER_ELEMENT)) } : {};
  }

  #inFault(t: TimestampNs): boolean {
    return this.#o.faults.some((f) => t >= this.#openedAt + f.atNs && t < this.#openedAt + f.atNs + f.forNs);
  }

  #package(k: number, captured: TimestampNs, eegData: Float32Array | undefined, rendered?: ImageFrame | DepthFrame): AnySample {
    const clock = this.#clock;
    const spec = SENSORS[this.#o.sensor];
    const receivedAt = clock.receivedAt(k);
    // Until clock sync exists, time of validity = arrival − the device's nominal latency.
    const t = receivedAt - clock.nominalLatencyNs();
    const head = { sourceId: this.sourceId, seq: k - this.#firstFrame, t, deviceT: clock.deviceTime(k), receivedAt };
    const tEnd = t + (BigInt(spec.frameSamples) * 1_000_000_000n) / BigInt(spec.gridHz);
    switch (this.#o.sensor) {
      // Frame buffers from the runtime's pool when it has one (they come back after inference).
      case 'camera':
        if (rendered && 'format' in rendered) return { ...head, kind: 'image', payload: rendered };
        return { ...head, kind: 'image', payload: renderFrame(this.#world, 'camera', captured, k, this.#into(Uint8Array, WIDTH * HEIGHT * 3)) };
      case 'depth':
        if (rendered && 'unitM' in rendered) return { ...head, kind: 'depth', payload: rendered };
        return { ...head, kind: 'depth', payload: renderFrame(this.#world, 'depth', captured, k, this.#into(Uint16Array, WIDTH * HEIGHT)) };
      case 'lidar':
        return { ...head, kind: 'scan', tEnd, payload: renderFrame(this.#world, 'lidar', captured, k) };
      case 'eeg':
        return {
          ...head,
          kind: 'eeg',
          tEnd,
          payload: {
            rateHz: EEG_RATE_HZ,
            channels: CHANNELS.length,
            channelNames: CHANNELS,
            data: eegData ?? new Float32Array(0),
            firstSampleIndex: (k - this.#firstFrame) * spec.frameSamples,
          },
        };
    }
  }
}
