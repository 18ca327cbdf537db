import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { InferenceError } from '../core/errors.ts';
import { payloadBuffers, type AnySample, type Modality } from '../core/sample.ts';
import { OnnxBackend } from './onnx-backend.ts';
import { ModelSet } from './model-set.ts';
import { serializeError, type RunRequest, type WorkerInit, type WorkerReply } from './protocol.ts';

/**
 * The inference worker: owns the ORT sessions of one model set. The main thread keeps device I/O,
 * alignment and MQTT keepalives on time while `session.run()` blocks this thread instead.
 * Stage times are wall-clock measurements of real work (not control flow), hence performance.now().
 */

type Preprocess = (payload: AnySample['payload']) => Float32Array;
interface PreprocessModule {
  createPreprocessor(spec: { op: string; [k: string]: unknown }): Preprocess;
}

const port = parentPort;
if (!port) throw new Error('inference-worker must run in a worker thread');
const init = workerData as WorkerInit;

const post = (msg: WorkerReply, transfer: ArrayBuffer[] = []): void => port.postMessage(msg, transfer);

async function main(): Promise<void> {
  if (init.nice) lowerPriority(init.nice);
  const mod = (await import(init.preprocessModule)) as PreprocessModule;
  const models = await ModelSet.load(init.modelDir, new OnnxBackend(), {
    ...(init.head ? { head: init.head } : {}),
    precision: init.precision ?? 'int8',
    session: { intraOpThreads: init.intraOpThreads ?? 1 },
  });
  const pre = new Map<Modality, Preprocess>();
  for (const m of models.modalities) {
    const enc = models.manifest.encoders[m];
    if (enc) pre.set(m, mod.createPreprocessor(enc.preprocess));
  }
  const dim = models.embeddingDim;
  // Last embedding per modality, keyed by sample: a held (zero-order-hold) frame is not re-encoded.
  const cache = new Map<Modality, { key: string; emb: Float32Array }>();
  const zeros = new Float32Array(dim);

  const files: Record<string, string> = {};
  for (const m of models.modalities) files[`enc_${m}`] = models.manifest.encoders[m]?.sha256 ?? '';
  files[`head_${models.head}`] = models.manifest.heads[models.head]?.sha256 ?? '';
  post({
    type: 'ready',
    labels: [...models.labels],
    modalities: [...models.modalities],
    name: models.manifest.name,
    version: models.manifest.version,
    head: models.head,
    precision: models.precision,
    files,
  });

  /**
   * Keep-newest lives here, next to the sessions: the main thread posts every set at once, so the
   * worker never waits a round trip for its next job. While one runs, a newer arrival replaces the
   * one waiting (the replaced id is reported as dropped with the next reply) — unless `lossless`,
   * where all wait in order (deterministic replay). Sample data is absorbed on arrival, so a later
   * set that refers to a frame by key (`cached`) still finds it even when the set that carried it
   * was dropped; a frame's buffers go back once it is encoded or superseded.
   */
  /** Frames received and not yet encoded, per modality and key. */
  const pendingData = new Map<Modality, Map<string, AnySample>>();
  /** The key last received per modality: a later set may refer to it by key (`cached`). */
  const newest = new Map<Modality, string>();
  let toReturn: ArrayBuffer[] = [];
  let running: RunRequest | undefined;
  let waiting: RunRequest[] = [];
  let dropped: number[] = [];
  let closing = false;

  const absorb = (req: RunRequest): void => {
    for (const input of req.inputs) {
      if (input.state !== 'data') continue;
      let byKey = pendingData.get(input.modality);
      if (!byKey) pendingData.set(input.modality, (byKey = new Map()));
      byKey.set(input.key, input.sample);
      newest.set(input.modality, input.key);
    }
  };

  /** Gives back the buffers of frames no set can use any more: not the running or a waiting set's, not the newest. */
  const releaseUnneeded = (): void => {
    const needed = new Set<string>();
    for (const req of [running, ...waiting]) for (const input of req?.inputs ?? []) if (input.state !== 'missing') needed.add(`${input.modality} ${input.key}`);
    for (const [modality, byKey] of pendingData) {
      for (const [key, sample] of byKey) {
        if (needed.has(`${modality} ${key}`) || newest.get(modality) === key) continue;
        byKey.delete(key);
        toReturn.push(...payloadBuffers(sample));
      }
    }
  };

  const pump = (): void => {
    if (running) return;
    const next = waiting.shift();
    if (!next) {
      if (closing) void models.release().then(() => port!.close());
      return;
    }
    running = next;
    void run(next).finally(() => {
      running = undefined;
      pump();
    });
  };

  port!.on('message', (msg: RunRequest | { type: 'close' }) => {
    if (msg.type === 'close') {
      closing = true;
      pump();
      return;
    }
    absorb(msg);
    if (!init.lossless && running) {
      for (const old of waiting) dropped.push(old.id);
      waiting = [msg];
    } else {
      waiting.push(msg);
    }
    releaseUnneeded();
    pump();
  });

  /** The embedding of one input: cached, or encoded now from data that arrived with any set. */
  async function embed(modality: Modality, key: string, time: { preprocess: number; encode: number }): Promise<Float32Array | undefined> {
    const hit = cache.get(modality);
    if (hit && hit.key === key) return hit.emb;
    const byKey = pendingData.get(modality);
    const sample = byKey?.get(key);
    if (!sample) return undefined;
    const fn = pre.get(modality);
    if (!fn) throw new InferenceError(`no preprocessor for ${modality}`);
    const t0 = performance.now();
    const x = fn(sample.payload);
    const t1 = performance.now();
    // Encoded: the embedding is cached by key, the frame itself can go back.
    byKey?.delete(key);
    toReturn.push(...payloadBuffers(sample));
    const emb = await models.encode(modality, x);
    time.preprocess += t1 - t0;
    time.encode += performance.now() - t1;
    cache.set(modality, { key, emb });
    return emb;
  }

  function reply(msg: WorkerReply): void {
    releaseUnneeded();
    const returned = toReturn;
    toReturn = [];
    const droppedIds = dropped;
    dropped = [];
    post({ ...msg, returned, dropped: droppedIds } as WorkerReply, returned);
  }

  async function run(req: RunRequest): Promise<void> {
    try {
      const time = { preprocess: 0, encode: 0 };
      const embs: Partial<Record<Modality, Float32Array>> = {};
      const mask = new Float32Array(models.modalities.length);
      const encoded: Modality[] = [];
      for (const input of req.inputs) {
        if (input.state === 'missing') continue;
        const wasCached = cache.get(input.modality)?.key === input.key;
        const emb = await embed(input.modality, input.key, time);
        if (!emb) continue;
        embs[input.modality] = emb;
        if (!wasCached) encoded.push(input.modality);
      }
      const t2 = performance.now();
      models.modalities.forEach((m, i) => {
        mask[i] = embs[m] ? 1 : 0;
        if (!embs[m]) embs[m] = zeros;
      });
      // Copy: the output tensor's buffer belongs to ORT's binding; 4 floats cost nothing to clone.
      const probs = Float32Array.from(await models.fuse(embs, mask));
      reply({ type: 'result', id: req.id, probs, mask, stageMs: { preprocess: time.preprocess, encode: time.encode, fuse: performance.now() - t2 }, encoded, returned: [], dropped: [] });
    } catch (err) {
      reply({ type: 'run-error', id: req.id, error: serializeError(err), returned: [], dropped: [] });
    }
  }
}

/**
 * os.setPriority(0, …) reaches setpriority(PRIO_PROCESS, 0) — on Linux that is this thread alone.
 * Under contention the main thread then wins the CPU: a busy worker cannot delay serial reads,
 * alignment or MQTT keepalives. Refused (e.g. by a container's seccomp): run at normal priority.
 */
function lowerPriority(nice: number): void {
  try {
    setPriority(0, nice);
  } catch {
    /* not permitted here; inference simply runs at the main thread's priority */
  }
}

main().catch((err: unknown) => {
  post({ type: 'fatal', error: serializeError(err) });
  port.close();
});
