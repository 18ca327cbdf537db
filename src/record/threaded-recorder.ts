import type { Worker } from 'node:worker_threads';
import { RecordingError } from '../core/errors.ts';
import type { AnySample } from '../core/sample.ts';
import { payloadBytes } from '../core/sample.ts';
import { spawnWorker } from '../core/spawn-worker.ts';
import type { TimestampNs } from '../core/time.ts';
import type { ResultPayload } from '../publish/payload-schema.ts';
import type { RecorderLike, RecorderOptions, RecorderStats } from './recorder.ts';
import type { FromRecorder, RecorderWorkerInit, ToRecorder } from './recorder-worker.ts';

const WORKER_EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

/**
 * The Recorder in a worker thread. Encoding four full-rate sensors as Foxglove JSON and compressing
 * them costs about a core (bench/record.ts) and blocks for tens of ms per chunk — on the pipeline's
 * thread that would delay triggers and MQTT keepalives. Here the caller's cost is one structured
 * clone of the payload per sample (postMessage copies; the pipeline keeps its own buffers, which it
 * may transfer to inference). The file is the same as the in-thread Recorder's, byte for byte.
 * Backpressure: beyond `maxQueuedBytes` of payload not yet taken by the thread, samples are
 * dropped and counted.
 */
export class ThreadedRecorder implements RecorderLike {
  readonly startNs: TimestampNs;
  readonly #o: RecorderOptions;
  readonly #worker: Worker;
  readonly #flushes = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  #closing: Promise<RecorderStats> | undefined;
  #onClosed: ((m: Extract<FromRecorder, { type: 'closed' }>) => void) | undefined;
  #failure: Error | undefined;
  #posted = 0;
  #done = 0;
  #nextFlush = 0;
  #gtCursor: bigint;
  #local = { samples: {} as Record<string, number>, results: 0, dropped: 0 };
  #remote: RecorderStats = { files: [], messages: 0, samples: {}, results: 0, messageBytes: 0, fileBytes: 0, dropped: 0 };

  constructor(o: RecorderOptions) {
    this.#o = o;
    this.startNs = o.startNs ?? o.clock.now();
    this.#gtCursor = this.startNs;
    const { clock: _c, groundTruth, ...rest } = o;
    const init: RecorderWorkerInit = { ...rest, startNs: this.startNs, ...(groundTruth ? { truthMeta: { key: groundTruth.key, labels: [...groundTruth.labels] } } : {}) };
    this.#worker = spawnWorker(new URL(`./recorder-worker${WORKER_EXT}`, import.meta.url), { workerData: init });
    this.#worker.on('message', (m: FromRecorder) => this.#onMessage(m));
    this.#worker.on('error', (err) => this.#fail(new RecordingError(`recorder thread failed: ${err.message}`, { cause: err })));
    if (groundTruth) this.#post({ type: 'truth', at: this.startNs, label: groundTruth.labelAt(this.startNs), change: false });
  }

  sample(s: AnySample): void {
    if (this.#closing || this.#failure) return;
    const bytes = payloadBytes(s);
    if (this.#posted - this.#done > (this.#o.maxQueuedBytes ?? 256 << 20)) {
      this.#local.dropped++;
      return;
    }
    this.#truthUntil(s.receivedAt);
    try {
      this.#post({ type: 'sample', s, bytes });
    } catch {
      // A payload already transferred to the inference worker cannot be cloned.
      this.#local.dropped++;
      return;
    }
    this.#posted += bytes;
    this.#local.samples[s.sourceId] = (this.#local.samples[s.sourceId] ?? 0) + 1;
  }

  readonly result = (r: ResultPayload): void => {
    if (this.#closing || this.#failure) return;
    const at = this.#o.clock.now();
    this.#truthUntil(at + 1n);
    this.#post({ type: 'result', r, at });
    this.#local.results++;
  };

  stats(): RecorderStats {
    return { ...this.#remote, samples: { ...this.#local.samples }, results: this.#local.results, dropped: this.#local.dropped + this.#remote.dropped };
  }

  flush(): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#nextFlush++;
    return new Promise((resolve, reject) => {
      this.#flushes.set(id, { resolve, reject });
      this.#post({ type: 'flush', id });
    });
  }

  close(): Promise<RecorderStats> {
    this.#closing ??= (async () => {
      this.#truthUntil(this.#o.clock.now() + 1n);
      const closed = new Promise<Extract<FromRecorder, { type: 'closed' }>>((resolve) => (this.#onClosed = resolve));
      if (!this.#failure) this.#post({ type: 'close', at: this.#o.clock.now() });
      const m = this.#failure ? undefined : await closed;
      await this.#worker.terminate();
      if (m) this.#remote = m.stats;
      if (this.#failure) throw this.#failure;
      if (m?.error) throw new RecordingError(m.error);
      return this.stats();
    })();
    return this.#closing;
  }

  #truthUntil(t: bigint): void {
    const gt = this.#o.groundTruth;
    if (!gt || t <= this.#gtCursor) return;
    for (const c of gt.changesBetween(this.#gtCursor, t)) this.#post({ type: 'truth', at: c.at, label: c.label, change: true });
    this.#gtCursor = t;
  }

  #post(m: ToRecorder): void {
    this.#worker.postMessage(m);
  }

  #onMessage(m: FromRecorder): void {
    if (m.type === 'progress') {
      this.#done = m.bytes;
      this.#remote = m.stats;
    } else if (m.type === 'flushed') {
      const f = this.#flushes.get(m.id);
      this.#flushes.delete(m.id);
      if (m.error) f?.reject(new RecordingError(m.error));
      else f?.resolve();
    } else this.#onClosed?.(m);
  }

  #fail(err: Error): void {
    this.#failure = err;
    for (const f of this.#flushes.values()) f.reject(err);
    this.#flushes.clear();
    this.#onClosed?.({ type: 'closed', stats: this.#remote, error: err.message });
  }
}
