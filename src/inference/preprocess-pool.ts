import type { Worker } from 'node:worker_threads';
import { InferenceError } from '../core/errors.ts';
import { payloadBuffers, type AnySample, type Modality } from '../core/sample.ts';
import { spawnWorker } from '../core/spawn-worker.ts';
import type { SerializedError } from './protocol.ts';

export interface HelperInit {
  preprocessModule: string;
  /** The manifest's preprocess spec per modality. */
  specs: Partial<Record<Modality, unknown>>;
  nice?: number;
  /** CPUs for the helper thread (Linux; it would inherit the inference worker's pinning). */
  cpus?: readonly number[];
}
export interface HelperRequest {
  id: number;
  modality: Modality;
  sample: AnySample;
}
export interface HelperReply {
  id: number;
  x?: Float32Array;
  /** Preprocessing time in the helper (ms). */
  ms?: number;
  error?: SerializedError;
  /** The frame's buffers, back for the source's pool. */
  returned: ArrayBuffer[];
}
export interface HelperResult {
  x: Float32Array;
  ms: number;
  returned: ArrayBuffer[];
}

interface Helper {
  worker: Worker;
  /** Frames sent and not answered. */
  busy: number;
}

const EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

/**
 * Preprocessing threads owned by the inference worker. `run` moves a frame to an idle helper
 * (transferred) and resolves with the encoder input and the frame's buffers. A helper that dies is
 * dropped from the pool (its in-flight frame fails with an InferenceError); with none left,
 * `available` is 0 and the inference worker preprocesses everything itself, as without helpers.
 */
export class PreprocessPool {
  readonly #helpers: Helper[] = [];
  readonly #waiting = new Map<number, { resolve: (r: HelperResult) => void; reject: (e: Error) => void; helper: Worker }>();
  #nextId = 1;

  static async start(count: number, init: HelperInit): Promise<PreprocessPool> {
    const pool = new PreprocessPool();
    await Promise.all(Array.from({ length: count }, () => pool.#spawn(init)));
    return pool;
  }

  /** Helpers alive. */
  get available(): number {
    return this.#helpers.length;
  }

  async #spawn(init: HelperInit): Promise<void> {
    const worker = spawnWorker(new URL(`./preprocess-helper${EXT}`, import.meta.url), { workerData: init });
    await new Promise<void>((resolve, reject) => {
      worker.once('message', (r: HelperReply) => (r.error ? reject(new InferenceError(`preprocess helper failed to start: ${r.error.message}`)) : resolve()));
      worker.once('error', reject);
    });
    const entry: Helper = { worker, busy: 0 };
    this.#helpers.push(entry);
    worker.on('message', (r: HelperReply) => {
      const w = this.#waiting.get(r.id);
      if (!w) return;
      this.#waiting.delete(r.id);
      entry.busy--;
      if (r.x && r.ms !== undefined) w.resolve({ x: r.x, ms: r.ms, returned: r.returned });
      else w.reject(Object.assign(new InferenceError(r.error?.message ?? 'preprocessing failed'), { returned: r.returned }));
    });
    const lost = (why: string): void => {
      const i = this.#helpers.indexOf(entry);
      if (i >= 0) this.#helpers.splice(i, 1);
      for (const [id, w] of this.#waiting) {
        if (w.helper !== worker) continue;
        this.#waiting.delete(id);
        w.reject(new InferenceError(`preprocess helper ${why}`));
      }
    };
    worker.on('error', (err) => lost(`crashed: ${err.message}`));
    worker.on('exit', (code) => lost(`exited (code ${code})`));
  }

  /** Preprocesses `sample` on the least busy helper; its buffers move there and come back. */
  run(modality: Modality, sample: AnySample): Promise<HelperResult> {
    const entry = this.#helpers.reduce<Helper | undefined>((a, h) => (!a || h.busy < a.busy ? h : a), undefined);
    if (!entry) return Promise.reject(new InferenceError('no preprocess helper left'));
    const id = this.#nextId++;
    entry.busy++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject, helper: entry.worker });
      entry.worker.postMessage({ id, modality, sample } satisfies HelperRequest, payloadBuffers(sample));
    });
  }

  /** Test hook: makes one helper die as a crashing one would. */
  crashOne(): void {
    this.#helpers[0]?.worker.postMessage({ id: -1 });
  }

  async close(): Promise<void> {
    const all = this.#helpers.splice(0);
    await Promise.all(all.map((h) => h.worker.terminate()));
  }
}
