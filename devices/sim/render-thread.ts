import type { BufferPool, DepthFrame, ImageFrame, TimestampNs } from '../../src/core/index.ts';
import { spawnWorker } from '../../src/core/spawn-worker.ts';
import { HEIGHT, WIDTH } from './camera-model.ts';
import { DEPTH_UNIT_M } from './render-frame.ts';

export interface RenderThreadInit {
  seed: number;
  lineHz: 50 | 60;
}
export interface RenderRequest {
  id: number;
  sensor: 'camera' | 'depth';
  /** Capture time. */
  t: TimestampNs;
  index: number;
  buffer: ArrayBuffer;
}
export interface RenderReply {
  id: number;
  buffer: ArrayBuffer;
}

const EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

/**
 * A camera or depth source's renderer on its own thread (live runs on the system clock). A 640×480
 * frame takes a few ms to render; at 30 Hz for two sensors that was a fifth of the main thread, in
 * blocks that showed up as event-loop lag and result latency. Requests are served in order; each
 * frame's buffer travels to the worker and back (transferred, from the runtime's pool when there is
 * one), so nothing is copied or allocated per frame.
 */
export class RenderThread {
  readonly #worker;
  readonly #sensor: 'camera' | 'depth';
  readonly #pool: BufferPool | undefined;
  readonly #waiting = new Map<number, { resolve: (buffer: ArrayBuffer) => void; reject: (err: Error) => void }>();
  #nextId = 1;
  #closed = false;
  /** Why the worker is gone (crash or exit), if it is: renders then reject at once. */
  #dead: Error | undefined;

  private constructor(worker: ReturnType<typeof spawnWorker>, sensor: 'camera' | 'depth', pool: BufferPool | undefined) {
    this.#worker = worker;
    this.#sensor = sensor;
    this.#pool = pool;
    worker.on('message', (r: RenderReply) => {
      const done = this.#waiting.get(r.id);
      this.#waiting.delete(r.id);
      done?.resolve(r.buffer);
    });
    // A crashed renderer must not take the runtime with it: pending and later frames reject, and
    // the adapter renders them itself.
    const gone = (err: Error): void => {
      this.#dead ??= err;
      for (const w of this.#waiting.values()) w.reject(err);
      this.#waiting.clear();
    };
    worker.on('error', (err) => gone(new Error(`sim render worker crashed: ${err.message}`)));
    worker.on('exit', (code) => gone(new Error(`sim render worker exited (code ${code})`)));
  }

  /** Starts the worker and waits until its world (static background included) is built. */
  static async start(sensor: 'camera' | 'depth', init: RenderThreadInit, pool?: BufferPool): Promise<RenderThread> {
    const worker = spawnWorker(new URL(`./render-worker${EXT}`, import.meta.url), { workerData: init });
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`sim render worker exited with code ${code} before it was ready`)));
    });
    worker.removeAllListeners('error');
    worker.removeAllListeners('exit');
    return new RenderThread(worker, sensor, pool);
  }

  /** The frame captured at `t` (device frame `index`); resolves in request order. */
  render(t: TimestampNs, index: number): Promise<ImageFrame | DepthFrame> {
    const bytes = this.#sensor === 'camera' ? WIDTH * HEIGHT * 3 : WIDTH * HEIGHT * 2;
    const buffer = this.#pool?.acquire(bytes) ?? new ArrayBuffer(bytes);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      if (this.#closed) return reject(new Error('render thread closed'));
      if (this.#dead) return reject(this.#dead);
      const resolveFrame = (buf: ArrayBuffer): void =>
        resolve(
          this.#sensor === 'camera'
            ? { width: WIDTH, height: HEIGHT, format: 'rgb24', data: new Uint8Array(buf) }
            : { width: WIDTH, height: HEIGHT, unitM: DEPTH_UNIT_M, data: new Uint16Array(buf) },
        );
      this.#waiting.set(id, { resolve: resolveFrame, reject });
      const req: RenderRequest = { id, sensor: this.#sensor, t, index, buffer };
      this.#worker.postMessage(req, [buffer]);
    });
  }

  /** Gives an unused frame's buffer back to the pool. */
  discard(frame: ImageFrame | DepthFrame): void {
    this.#pool?.release(frame.data.buffer as ArrayBuffer);
  }

  /** Ends the worker (test hook for a crash: `crash()` makes it exit as a failing renderer would). */
  crash(): void {
    this.#worker.postMessage({ id: -1 });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#waiting.clear();
    await this.#worker.terminate();
  }
}
