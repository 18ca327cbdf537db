import { readFile } from 'node:fs/promises';
import {
  AsyncQueue, DeviceError, type AdapterStats, type AnySample, type DepthFrame, type DeviceAdapter, type DeviceContext, type TimestampNs,
} from '../../../src/core/index.ts';
import { ArrivalDejitter } from '../../formats/arrival-dejitter.ts';
import { FixedFrameDecoder } from '../../formats/fixed-frame-decoder.ts';
import { LinkSupervisor } from '../../transport/link-supervisor.ts';
import { PacedPlayer } from '../../transport/paced-player.ts';
import { spawnChildStream } from '../../transport/process/child-stream.ts';
import { SilenceWatchdog } from '../../transport/silence-watchdog.ts';
import { connectStream } from '../../transport/socket/unix-socket.ts';
import { waitFor } from '../../transport/wait-for.ts';
import { Z16Decoder } from './decoder.ts';
import type { Z16Options } from './options.ts';

interface Link {
  stop(): Promise<void>;
  pid?: number;
}

/**
 * 16-bit depth from a sidecar process (stdout), a Unix socket, or a file played at `fps`. Live
 * links are supervised: the sidecar exiting, the socket closing, or no frame for `stallMs` loses the
 * link, and it is restarted with backoff. Time: with a `device_ts_us` in the DZ16 header, `t` maps the
 * camera clock onto the host timeline through the lowest observed (arrival − device time); without
 * one, `t` is the arrival. `deviceT` keeps the camera's own stamp (ns).
 */
export class Z16Adapter implements DeviceAdapter {
  readonly sourceId: string;
  readonly #o: Z16Options;
  readonly #ctx: DeviceContext;
  readonly #queue = new AsyncQueue<AnySample>(4);
  readonly #sup: LinkSupervisor<Link> | undefined;
  readonly #watchdog: SilenceWatchdog;
  readonly #clockMap = new ArrivalDejitter({ rateHz: 1e6, windowSamples: 30_000_000 });
  #decoder = new Z16Decoder();
  #player: PacedPlayer | undefined;
  #firstFrame: ((v: true | string) => void) | undefined;
  #seq = 0;
  #samples = 0;
  #closedBad = 0;
  /** The sidecar process id (tests kill it). */
  pid: number | undefined;

  constructor(o: Z16Options, ctx: DeviceContext) {
    this.sourceId = ctx.sourceId;
    this.#o = o;
    this.#ctx = ctx;
    this.#watchdog = new SilenceWatchdog(ctx.clock, o.stallMs, (ms) => this.#sup?.lost(`no depth frame for ${Math.round(ms)} ms`));
    if (!o.file) this.#sup = new LinkSupervisor<Link>({ ctx, what: o.command ? `depth sidecar ${o.command[0]}` : `depth socket ${o.socket}`, connect: () => this.#connect(), release: (l) => this.#release(l) });
  }

  async start(): Promise<void> {
    if (this.#sup) return this.#sup.start();
    await this.#playFile(this.#o.file as string);
  }

  samples(): AsyncIterable<AnySample> {
    return this.#queue;
  }

  stats(): AdapterStats {
    return { samples: this.#samples, dropped: this.#queue.dropped, badBytes: this.#closedBad + this.#decoder.stats().badBytes, reconnects: this.#sup?.reconnects ?? 0 };
  }

  async close(): Promise<void> {
    this.#watchdog.stop();
    this.#player?.stop();
    await this.#sup?.stop();
    this.#queue.close();
  }

  async #connect(): Promise<Link> {
    this.#closedBad += this.#decoder.stats().badBytes;
    this.#decoder = new Z16Decoder();
    const lost = (why: string): void => {
      this.#firstFrame?.(why);
      this.#sup?.lost(why);
    };
    let link: Link;
    if (this.#o.command) {
      const [cmd, ...args] = this.#o.command as [string, ...string[]];
      const child = spawnChildStream({
        command: cmd,
        args,
        onStdout: (b) => this.#onBytes(b),
        onExit: (code, signal, error) => lost(error ? `cannot run ${cmd}: ${error.message}` : `depth sidecar exited (${signal ?? `code ${code}`})${child.stderrTail() ? `: ${child.stderrTail()}` : ''}`),
      });
      link = { stop: () => child.stop(), ...(child.pid !== undefined ? { pid: child.pid } : {}) };
      this.pid = child.pid;
    } else {
      link = await connectStream({ path: this.#o.socket as string, onData: (b) => this.#onBytes(b), onEnd: lost });
    }
    const first = await waitFor<true | string>(this.#ctx.clock, Math.max(5000, 2 * this.#o.stallMs), (deliver) => {
      this.#firstFrame = deliver;
      return () => (this.#firstFrame = undefined);
    });
    if (first !== true) {
      await link.stop();
      throw new DeviceError(first ?? `no depth frame within ${Math.max(5000, 2 * this.#o.stallMs)} ms`, { code: 'E_Z16' });
    }
    this.#watchdog.start();
    return link;
  }

  async #release(l: Link): Promise<void> {
    this.#watchdog.stop();
    await l.stop();
  }

  #onBytes(b: Uint8Array): void {
    const now = this.#ctx.clock.now();
    this.#decoder.push(b, now);
    for (let f = this.#decoder.next(); f; f = this.#decoder.next()) {
      this.#watchdog.kick(now);
      this.#firstFrame?.(true);
      let t: TimestampNs = f.receivedAt;
      let deviceT: bigint | undefined;
      if (f.deviceTimeUs !== undefined && Number.isFinite(f.deviceTimeUs)) {
        t = this.#clockMap.observe(f.deviceTimeUs, f.receivedAt);
        deviceT = BigInt(Math.round(f.deviceTimeUs * 1000));
      }
      this.#emit(f.frame, t, f.receivedAt, deviceT);
    }
  }

  #emit(frame: DepthFrame, t: TimestampNs, receivedAt: TimestampNs, deviceT?: bigint): void {
    this.#samples++;
    this.#queue.push({ kind: 'depth', sourceId: this.sourceId, seq: this.#seq++, t, ...(deviceT !== undefined ? { deviceT } : {}), receivedAt, payload: frame });
  }

  async #playFile(path: string): Promise<void> {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(path));
    } catch (err) {
      this.#ctx.onEvent?.({ type: 'error', at: this.#ctx.clock.now(), error: err });
      this.#queue.close();
      throw new DeviceError(`depth/z16: cannot read ${path}`, { cause: err });
    }
    const frames: DepthFrame[] = [];
    if (this.#o.framing === 'raw') {
      const d = new FixedFrameDecoder(this.#o.width * this.#o.height * 2);
      d.push(bytes, 0n);
      d.flush();
      for (let f = d.next(); f; f = d.next()) {
        const dv = new DataView(f.data.buffer, f.data.byteOffset, f.data.byteLength);
        frames.push({ width: this.#o.width, height: this.#o.height, unitM: this.#o.unitM, data: Uint16Array.from({ length: this.#o.width * this.#o.height }, (_, i) => dv.getUint16(2 * i, true)) });
      }
      this.#closedBad += d.stats().badBytes;
    } else {
      this.#decoder.push(bytes, 0n);
      for (let f = this.#decoder.next(); f; f = this.#decoder.next()) frames.push(f.frame);
    }
    const periodNs = BigInt(Math.round(1e9 / this.#o.fps));
    this.#ctx.onEvent?.({ type: 'connected', at: this.#ctx.clock.now() });
    this.#player = new PacedPlayer({
      clock: this.#ctx.clock,
      count: frames.length,
      offsetNs: (i) => BigInt(i) * periodNs,
      periodNs: BigInt(frames.length) * periodNs,
      loop: this.#o.loop,
      onItem: (i, pass, due) => {
        const f = frames[i]!;
        // Each delivery gets its own copy: consumers may transfer the buffer to a worker.
        this.#emit({ ...f, data: pass === 0 && !this.#o.loop ? f.data : f.data.slice() }, due, due);
      },
      onEnd: () => this.#queue.close(),
    });
    this.#player.start();
  }
}
