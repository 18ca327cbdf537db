import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../core/spawn-worker.ts';
import { InferenceError, ModelError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { silentLogger } from '../core/logger.ts';
import { monotonicMs } from '../core/time.ts';
import { payloadBuffers, type AnySample, type Modality } from '../core/sample.ts';
import type { RunRequest, SerializedError, StageTimes, WireInput, WorkerInit, WorkerReply } from './protocol.ts';

/** What the pipeline hands to inference: per modality, the chosen sample or nothing. */
export interface FusionJob<T = unknown> {
  inputs: Partial<Record<Modality, AnySample>>;
  /** Opaque to the client; comes back with the output (the pipeline's AlignedSet). */
  context: T;
  /** Copy instead of transfer for these modalities (their samples are shared with other consumers). */
  copy?: ReadonlySet<Modality>;
}

export interface FusionOutput<T = unknown> {
  context: T;
  probs: Float32Array;
  /** What the head was actually given (1 present, 0 missing), in `modalities` order. */
  mask: Float32Array;
  /**
   * The worker's stages, and `handoff`: the set's trip to the worker and the result's trip back
   * (message passing and thread wake-ups, measured on one clock across the two threads).
   */
  stageMs: StageTimes & { handoff: number };
  /** Jobs dropped (keep-newest) since the previous output. */
  droppedBefore: number;
  /** Payload buffers coming back from the worker, free for reuse. */
  returned: ArrayBuffer[];
}

export interface ModelInfo {
  labels: string[];
  modalities: Modality[];
  name: string;
  version: string;
  head: string;
  precision: string;
  files: Record<string, string>;
}

export interface InferenceClientOptions extends WorkerInit {
  /**
   * Queue every job instead of keeping only the newest (deterministic replay on a virtual clock,
   * where the producer already waits for the worker, so the queue stays short).
   */
  lossless?: boolean;
  log?: Logger;
  onOutput: (out: FusionOutput) => void;
  onError?: (err: Error) => void;
  /** Frame buffers that came back with a failed fusion (a result's come with the output). */
  onReturned?: (buffers: ArrayBuffer[]) => void;
}

const WORKER_EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

/**
 * Main-thread side of the inference worker. At most **one fusion running**; a set that arrives
 * while one runs waits in a single slot and a newer set replaces it (keep the newest, count the
 * drop, report it in the next output) — MediaPipe's FlowLimiter, made loud. The slot lives in the
 * worker: every set is posted at once, so the worker goes from one fusion to the next without
 * waiting a round trip through the main thread.
 */
export class InferenceClient {
  readonly #opts: InferenceClientOptions;
  readonly #log: Logger;
  #worker: Worker | undefined;
  #info: ModelInfo | undefined;
  #nextId = 1;
  /** Posted and not answered yet, in order (the worker runs one; the rest wait or get dropped there). */
  #outstanding = new Map<number, { context: unknown; postedAt: number }>();
  #dropped = 0;
  #droppedTotal = 0;
  #lastSent = new Map<Modality, string>();
  #idleWaiters: (() => void)[] = [];
  #closing = false;

  constructor(opts: InferenceClientOptions) {
    this.#opts = opts;
    this.#log = opts.log ?? silentLogger;
  }

  /** Spawns the worker and waits until its sessions are loaded; rejects with the worker's ModelError. */
  async start(): Promise<ModelInfo> {
    const url = new URL(`./inference-worker${WORKER_EXT}`, import.meta.url);
    const { onOutput: _o, onError: _e, onReturned: _r, log: _l, lossless, ...rest } = this.#opts;
    const init: WorkerInit = { ...rest, ...(lossless ? { lossless: true } : {}) };
    const worker = spawnWorker(url, { workerData: init });
    this.#worker = worker;
    this.#info = await new Promise<ModelInfo>((resolve, reject) => {
      const onMessage = (msg: WorkerReply): void => {
        if (msg.type === 'ready') {
          const { type: _t, ...info } = msg;
          cleanup();
          resolve(info);
        } else if (msg.type === 'fatal') {
          cleanup();
          reject(reviveError(msg.error));
        }
      };
      const onExit = (code: number): void => {
        cleanup();
        reject(new InferenceError(`inference worker exited with code ${code} before loading models`));
      };
      const onErr = (err: Error): void => {
        cleanup();
        reject(new InferenceError(`inference worker failed to start: ${err.message}`, { cause: err }));
      };
      const cleanup = (): void => {
        worker.off('message', onMessage);
        worker.off('exit', onExit);
        worker.off('error', onErr);
      };
      worker.on('message', onMessage);
      worker.on('exit', onExit);
      worker.on('error', onErr);
    });
    worker.on('message', (msg: WorkerReply) => this.#onMessage(msg));
    worker.on('error', (err) => this.#fail(new InferenceError(`inference worker crashed: ${err.message}`, { cause: err })));
    worker.on('exit', (code) => {
      if (!this.#closing) this.#fail(new InferenceError(`inference worker exited unexpectedly (code ${code})`));
    });
    return this.#info;
  }

  get info(): ModelInfo | undefined {
    return this.#info;
  }

  /** Total jobs dropped by keep-newest since start. */
  get droppedTotal(): number {
    return this.#droppedTotal;
  }

  get busy(): boolean {
    return this.#outstanding.size > 0;
  }

  /** Sets posted and not answered: 0 idle, 1 running, 2 running + one waiting (more only briefly). */
  get queued(): number {
    return this.#outstanding.size;
  }

  /** Hands a set to the worker; if one runs, it waits there and replaces any set still waiting. */
  submit(job: FusionJob): void {
    if (this.#closing) return;
    this.#send(job);
  }

  /** Resolves when nothing is running or waiting. */
  idle(): Promise<void> {
    if (this.#outstanding.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Finishes in-flight and waiting work (bounded by `timeoutMs`), then stops the worker. */
  async close(timeoutMs = 5000): Promise<void> {
    if (this.#closing) return;
    const worker = this.#worker;
    if (worker && this.#info) {
      await Promise.race([this.idle(), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
    }
    this.#closing = true;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'close' });
    const timer = setTimeout(() => void worker.terminate(), timeoutMs).unref();
    await exited;
    clearTimeout(timer);
  }

  #send(job: FusionJob): void {
    const worker = this.#worker;
    if (!worker) throw new InferenceError('inference client not started');
    const id = this.#nextId++;
    const inputs: WireInput[] = [];
    const transfer: ArrayBuffer[] = [];
    for (const modality of this.#info?.modalities ?? []) {
      const sample = job.inputs[modality];
      if (!sample) {
        inputs.push({ modality, state: 'missing' });
        continue;
      }
      const key = `${sample.sourceId}#${sample.seq}`;
      if (this.#lastSent.get(modality) === key) {
        inputs.push({ modality, state: 'cached', key });
        continue;
      }
      const buffers = payloadBuffers(sample);
      if (buffers.some((b) => b.byteLength === 0)) {
        // Already moved to the worker by an earlier job that was then superseded: not recoverable.
        inputs.push({ modality, state: 'missing' });
        continue;
      }
      if (job.copy?.has(modality)) {
        inputs.push({ modality, state: 'data', key, sample: structuredClone(sample) });
      } else {
        inputs.push({ modality, state: 'data', key, sample });
        transfer.push(...buffers);
      }
      this.#lastSent.set(modality, key);
    }
    const req: RunRequest = { type: 'run', id, inputs };
    this.#outstanding.set(id, { context: job.context, postedAt: monotonicMs() });
    worker.postMessage(req, transfer);
  }

  #onMessage(msg: WorkerReply): void {
    if (msg.type !== 'result' && msg.type !== 'run-error') {
      if (msg.type === 'fatal') this.#fail(reviveError(msg.error));
      return;
    }
    // Sets the worker dropped for newer ones: counted, reported with this output.
    for (const id of msg.dropped) {
      if (this.#outstanding.delete(id)) {
        this.#dropped++;
        this.#droppedTotal++;
      }
    }
    const sent = this.#outstanding.get(msg.id);
    if (!sent) return;
    const { context, postedAt } = sent;
    this.#outstanding.delete(msg.id);
    const dropped = this.#dropped;
    this.#dropped = 0;
    if (msg.type === 'result') {
      const handoff = msg.at.recv - postedAt + (monotonicMs() - msg.at.done);
      this.#opts.onOutput({ context, probs: msg.probs, mask: msg.mask, stageMs: { ...msg.stageMs, handoff }, droppedBefore: dropped, returned: msg.returned });
    } else {
      this.#dropped += dropped;
      if (msg.returned.length) this.#opts.onReturned?.(msg.returned);
      this.#opts.onError?.(reviveError(msg.error));
    }
    if (this.#outstanding.size === 0) for (const w of this.#idleWaiters.splice(0)) w();
  }

  #fail(err: Error): void {
    this.#log.error({ err: err.message }, 'inference worker failed');
    this.#outstanding.clear();
    for (const w of this.#idleWaiters.splice(0)) w();
    this.#opts.onError?.(err);
  }
}

function reviveError(e: SerializedError): Error {
  if (e.name === 'ModelError') return new ModelError(e.message, { ...(e.code ? { code: e.code } : {}), ...(e.file ? { file: e.file } : {}) });
  return new InferenceError(e.message, e.code ? { code: e.code } : undefined);
}
