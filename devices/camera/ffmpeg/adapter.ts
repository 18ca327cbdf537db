import {
  AsyncQueue, DeviceError, type AdapterStats, type AnySample, type DeviceAdapter, type DeviceContext, type ImageFrame, type TimestampNs,
} from '../../../src/core/index.ts';
import { FixedFrameDecoder } from '../../formats/fixed-frame-decoder.ts';
import { LinkSupervisor } from '../../transport/link-supervisor.ts';
import { spawnChildStream, type ChildStream } from '../../transport/process/child-stream.ts';
import { SilenceWatchdog } from '../../transport/silence-watchdog.ts';
import { waitFor } from '../../transport/wait-for.ts';
import { ffmpegArgs, rawFrameBytes, showinfoPtsTime } from './ffmpeg-args.ts';
import { JpegSplitter, jpegDimensions } from './jpeg-splitter.ts';
import type { FfmpegCameraOptions } from './options.ts';

/**
 * A camera through an ffmpeg child process. Raw frames are cut by byte count, JPEGs by marker
 * structure. ffmpeg exiting (camera unplugged, RTSP server gone, process killed) or stalling
 * (no frame for `stallMs`) loses the link; the supervisor restarts it with backoff. A file that
 * ends (without `loop`) ends the source. Time: `receivedAt` is when the frame's last byte arrived;
 * `t` = receivedAt − latencyMs; with `deviceClock`, `deviceT` is showinfo's pts_time (V4L2: the
 * kernel buffer timestamp) — both kept, neither trusted blindly.
 */
export class FfmpegCameraAdapter implements DeviceAdapter {
  readonly sourceId: string;
  readonly #o: FfmpegCameraOptions;
  readonly #ctx: DeviceContext;
  readonly #queue = new AsyncQueue<AnySample>(4);
  readonly #sup: LinkSupervisor<ChildStream>;
  readonly #watchdog: SilenceWatchdog;
  #decoder: FixedFrameDecoder | JpegSplitter;
  #pts: number[] = [];
  #firstFrame: ((v: true) => void) | undefined;
  #exited: ((v: string) => void) | undefined;
  #seq = 0;
  #samples = 0;
  #closedBad = 0;
  #ended = false;
  /** The running ffmpeg, for tests that kill it. */
  child: ChildStream | undefined;

  constructor(o: FfmpegCameraOptions, ctx: DeviceContext) {
    this.sourceId = ctx.sourceId;
    this.#o = o;
    this.#ctx = ctx;
    this.#decoder = this.#newDecoder();
    this.#watchdog = new SilenceWatchdog(ctx.clock, o.stallMs, (ms) => this.#sup.lost(`ffmpeg produced no frame for ${Math.round(ms)} ms`));
    this.#sup = new LinkSupervisor({ ctx, what: `ffmpeg camera ${o.input}`, connect: () => this.#connect(), release: (c) => this.#release(c) });
  }

  start(): Promise<void> {
    return this.#sup.start();
  }

  samples(): AsyncIterable<AnySample> {
    return this.#queue;
  }

  stats(): AdapterStats {
    return { samples: this.#samples, dropped: this.#queue.dropped, badBytes: this.#closedBad + this.#decoder.stats().badBytes, reconnects: this.#sup.reconnects };
  }

  async close(): Promise<void> {
    this.#watchdog.stop();
    await this.#sup.stop();
    this.#queue.close();
  }

  #newDecoder(): FixedFrameDecoder | JpegSplitter {
    return this.#o.output === 'mjpeg' ? new JpegSplitter() : new FixedFrameDecoder(rawFrameBytes(this.#o));
  }

  async #connect(): Promise<ChildStream> {
    const old = this.#decoder;
    if (old instanceof FixedFrameDecoder) old.flush();
    this.#closedBad += old.stats().badBytes;
    this.#decoder = this.#newDecoder();
    this.#pts = [];
    let exitReason: string | undefined;
    const child = spawnChildStream({
      command: this.#o.ffmpeg,
      args: ffmpegArgs(this.#o),
      onStdout: (b) => this.#onBytes(b),
      onStderrLine: (line) => {
        const pts = this.#o.deviceClock ? showinfoPtsTime(line) : undefined;
        if (pts !== undefined) this.#pts.push(pts);
      },
      onExit: (code, signal, error) => {
        exitReason = error ? `cannot run ${this.#o.ffmpeg}: ${error.message}` : `ffmpeg exited (${signal ?? `code ${code}`})${child.stderrTail() ? `: ${child.stderrTail()}` : ''}`;
        this.#exited?.(exitReason);
        if (code === 0 && !this.#o.loop && (this.#o.inputKind === 'file' || this.#o.inputKind === 'lavfi')) {
          // End of a file: the source ends (DeviceAdapter: "ends … when the input ends, for files").
          this.#ended = true;
          this.#watchdog.stop();
          void this.#sup.stop().then(() => this.#queue.close());
          return;
        }
        this.#sup.lost(exitReason);
      },
    });
    this.child = child;
    // Up when the first frame arrives; an exit or a long silence before that fails the attempt.
    const first = await waitFor<true | string>(this.#ctx.clock, Math.max(10_000, 2 * this.#o.stallMs), (deliver) => {
      this.#firstFrame = () => deliver(true);
      this.#exited = (why) => deliver(why);
      if (exitReason !== undefined) deliver(exitReason);
      return () => {
        this.#firstFrame = undefined;
        this.#exited = undefined;
      };
    });
    if (first !== true) {
      await child.stop();
      if (this.#ended) return child;
      throw new DeviceError(typeof first === 'string' ? first : `ffmpeg gave no frame from ${this.#o.input} within ${Math.max(10_000, 2 * this.#o.stallMs)} ms`, { code: 'E_FFMPEG' });
    }
    this.#watchdog.start();
    return child;
  }

  async #release(child: ChildStream): Promise<void> {
    this.#watchdog.stop();
    await child.stop();
  }

  #onBytes(b: Uint8Array): void {
    const now = this.#ctx.clock.now();
    this.#decoder.push(b, now);
    for (let f = this.#decoder.next(); f; f = this.#decoder.next()) this.#onFrame(f.data, f.receivedAt);
  }

  #onFrame(data: Uint8Array, receivedAt: TimestampNs): void {
    this.#watchdog.kick(receivedAt);
    this.#firstFrame?.(true);
    const o = this.#o;
    let payload: ImageFrame;
    if (o.output === 'mjpeg') {
      const dim = jpegDimensions(data) ?? { width: o.width, height: o.height };
      payload = { ...dim, format: 'jpeg', data };
    } else payload = { width: o.width, height: o.height, format: o.output === 'gray' ? 'gray8' : 'rgb24', data };
    const pts = o.deviceClock ? this.#pts.shift() : undefined;
    this.#samples++;
    this.#queue.push({
      kind: 'image',
      sourceId: this.sourceId,
      seq: this.#seq++,
      t: receivedAt - BigInt(Math.round(o.latencyMs * 1e6)),
      ...(pts !== undefined ? { deviceT: BigInt(Math.round(pts * 1e9)) } : {}),
      receivedAt,
      payload,
    });
  }
}
