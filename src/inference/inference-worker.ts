import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { InferenceError } from '../core/errors.ts';
import { monotonicMs } from '../core/time.ts';
import { armTransfers } from '../core/transfer-probe.ts';
import { payloadBuffers, type AnySample, type Modality } from '../core/sample.ts';
import { OnnxBackend } from './onnx-backend.ts';
import { ModelSet } from './model-set.ts';
import { PreprocessPool, type HelperResult } from './preprocess-pool.ts';
import { StageCosts, lowerPriority, tryPin, warmUp, type PreprocessModule } from './worker-tuning.ts';
import { serializeError, type RunRequest, type WorkerInit, type WorkerReply } from './protocol.ts';

/**
 * The inference worker: owns the ORT sessions of one model set. The main thread keeps device I/O,
 * alignment and MQTT keepalives on time while `session.run()` blocks this thread instead.
 * Stage times are wall-clock measurements of real work (not control flow), hence performance.now().
 */

type Preprocess = (payload: AnySample['payload']) => Float32Array;

const port = parentPort;
if (!port) throw new Error('inference-worker must run in a worker thread');
const init = workerData as WorkerInit;

const post = (msg: WorkerReply, transfer: ArrayBuffer[] = []): void => port.postMessage(msg, transfer);

async function main(): Promise<void> {
  armTransfers(); // before anything is optimised: replies transfer frames back
  if (init.nice) lowerPriority(init.nice);
  // Before anything else starts a thread: ORT's threads inherit the mask. The runtime has already
  // pinned its own threads with the same tool, so a failure here is a vanished /proc at worst.
  if (init.cpus?.length) tryPin(init.cpus);
  const mod = (await import(init.preprocessModule)) as PreprocessModule;
  const models = await ModelSet.load(init.modelDir, new OnnxBackend(), {
    ...(init.head ? { head: init.head } : {}),
    precision: init.precision ?? 'int8',
    session: { intraOpThreads: init.intraOpThreads ?? 1 },
  });
  const pre = new Map<Modality, Preprocess>();
  const specs: Partial<Record<Modality, unknown>> = {};
  for (const m of models.modalities) {
    const enc = models.manifest.encoders[m];
    if (enc) {
      pre.set(m, mod.createPreprocessor(enc.preprocess));
      specs[m] = enc.preprocess;
    }
  }
  const helpers = init.preprocessThreads ? await PreprocessPool.start(init.preprocessThreads, { preprocessModule: init.preprocessModule, specs, ...(init.nice ? { nice: init.nice } : {}), ...(init.helperCpus?.length ? { cpus: init.helperCpus } : {}) }) : undefined;
  const cost = new StageCosts();
  await warmUp(models, pre, mod);
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
  /** When each set waiting or running arrived (monotonic ms), for its `queue` time and `at.recv`. */
  const arrived = new Map<number, number>();
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

  /** `modality key` of every frame the running or a waiting set refers to. */
  const neededFrames = (): Set<string> => {
    const needed = new Set<string>();
    for (const req of [running, ...waiting]) for (const input of req?.inputs ?? []) if (input.state !== 'missing') needed.add(`${input.modality} ${input.key}`);
    return needed;
  };

  /** Gives back the buffers of frames no set can use any more: not the running or a waiting set's, not the newest. */
  const releaseUnneeded = (): void => {
    const needed = neededFrames();
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
      if (closing) void Promise.all([models.release(), helpers?.close()]).then(() => port!.close());
      return;
    }
    running = next;
    void run(next).finally(() => {
      running = undefined;
      pump();
      prepareNext();
    });
  };

  port!.on('message', (msg: RunRequest | { type: 'close' }) => {
    if (msg.type === 'close') {
      closing = true;
      pump();
      return;
    }
    arrived.set(msg.id, monotonicMs());
    absorb(msg);
    if (!init.lossless && running) {
      for (const old of waiting) {
        dropped.push(old.id);
        arrived.delete(old.id);
      }
      waiting = [msg];
    } else {
      waiting.push(msg);
    }
    releaseUnneeded();
    pump();
    prepareNext();
  });

  /**
   * Frames already with a helper, per modality: the next set's share starts while the current
   * set still runs, so under load the helper works a set ahead and the worker rarely waits.
   */
  const prepared = new Map<Modality, { key: string; result: Promise<HelperResult> }>();

  function dispatch(modality: Modality, key: string): { key: string; result: Promise<HelperResult> } | undefined {
    const byKey = pendingData.get(modality);
    const sample = byKey?.get(key);
    if (!helpers || !byKey || !sample) return undefined;
    byKey.delete(key);
    const result = helpers.run(modality, sample);
    result.catch(() => undefined); // awaited where used; a failure surfaces there
    return { key, result };
  }

  /** Starts the helper's share of the set next in line, and lets go of prepared frames no set needs. */
  function prepareNext(): void {
    if (!helpers) return;
    const needed = neededFrames();
    for (const [modality, p] of prepared) {
      if (needed.has(`${modality} ${p.key}`)) continue;
      prepared.delete(modality);
      void p.result.then(
        (r) => toReturn.push(...r.returned),
        (e: { returned?: ArrayBuffer[] }) => toReturn.push(...(e.returned ?? [])),
      );
    }
    const next = waiting[0];
    if (!next || !running) return;
    const todo = next.inputs.filter((i) => i.state !== 'missing' && prepared.get(i.modality)?.key !== i.key && pendingData.get(i.modality)?.has(i.key)).map((i) => i.modality);
    for (const modality of split(todo)) {
      const input = next.inputs.find((i) => i.modality === modality);
      if (!input || input.state === 'missing' || prepared.has(modality)) continue;
      const p = dispatch(modality, input.key);
      if (p) prepared.set(modality, p);
    }
  }

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
    cost.learn(modality, 'pre', t1 - t0);
    cost.learn(modality, 'enc', performance.now() - t1);
    cache.set(modality, { key, emb });
    return emb;
  }

  function reply(msg: WorkerReply): void {
    releaseUnneeded();
    const returned = toReturn;
    toReturn = [];
    const droppedIds = dropped;
    dropped = [];
    if (msg.type === 'result') msg.at.done = monotonicMs();
    post({ ...msg, returned, dropped: droppedIds } as WorkerReply, returned);
  }

  /** The helper's share of a set's frames, besides those it already has (none without a live helper). */
  function split(todo: Modality[], withHelper: Modality[] = []): Set<Modality> {
    return helpers && helpers.available > 0 ? cost.split(todo, withHelper) : new Set();
  }

  async function run(req: RunRequest): Promise<void> {
    const remote = new Map<Modality, { key: string; result: Promise<HelperResult> }>();
    const recv = arrived.get(req.id) ?? monotonicMs();
    arrived.delete(req.id);
    const queue = monotonicMs() - recv;
    try {
      const time = { preprocess: 0, encode: 0 };
      const embs: Partial<Record<Modality, Float32Array>> = {};
      const mask = new Float32Array(models.modalities.length);
      const encoded: Modality[] = [];
      // Frames a helper already has (prepared while the previous set ran), then the helper's share
      // of the rest (not cached, data here), started before the worker's own.
      for (const input of req.inputs) {
        if (input.state === 'missing') continue;
        const p = prepared.get(input.modality);
        if (p && p.key === input.key && cache.get(input.modality)?.key !== input.key) {
          prepared.delete(input.modality);
          remote.set(input.modality, p);
        }
      }
      const todo = req.inputs.filter((i) => i.state !== 'missing' && !remote.has(i.modality) && cache.get(i.modality)?.key !== i.key && pendingData.get(i.modality)?.has(i.key)).map((i) => i.modality);
      for (const modality of split(todo, [...remote.keys()])) {
        const input = req.inputs.find((i) => i.modality === modality);
        const p = input && input.state !== 'missing' ? dispatch(modality, input.key) : undefined;
        if (p) remote.set(modality, p);
      }
      for (const input of req.inputs) {
        if (input.state === 'missing' || remote.has(input.modality)) continue;
        const wasCached = cache.get(input.modality)?.key === input.key;
        const emb = await embed(input.modality, input.key, time);
        if (!emb) continue;
        embs[input.modality] = emb;
        if (!wasCached) encoded.push(input.modality);
      }
      for (const [modality, { key, result }] of remote) {
        // Only the wait counts as preprocessing time: the helper's work overlapped ours.
        const tw = performance.now();
        const r = await result;
        remote.delete(modality);
        toReturn.push(...r.returned);
        const t1 = performance.now();
        time.preprocess += t1 - tw;
        cost.learn(modality, 'pre', r.ms);
        const emb = await models.encode(modality, r.x);
        const t2 = performance.now();
        time.encode += t2 - t1;
        cost.learn(modality, 'enc', t2 - t1);
        cache.set(modality, { key, emb });
        embs[modality] = emb;
        encoded.push(modality);
      }
      encoded.sort((a, b) => models.modalities.indexOf(a) - models.modalities.indexOf(b));
      const t2 = performance.now();
      models.modalities.forEach((m, i) => {
        mask[i] = embs[m] ? 1 : 0;
        if (!embs[m]) embs[m] = zeros;
      });
      // Copy: the output tensor's buffer belongs to ORT's binding; 4 floats cost nothing to clone.
      const probs = Float32Array.from(await models.fuse(embs, mask));
      const stageMs = { queue, preprocess: time.preprocess, encode: time.encode, fuse: performance.now() - t2 };
      reply({ type: 'result', id: req.id, probs, mask, stageMs, at: { recv, done: 0 }, encoded, returned: [], dropped: [] });
    } catch (err) {
      // Frames still with a helper come back before the error is reported (their buffers are the pool's).
      for (const { result } of remote.values()) {
        const r = await result.catch((e: { returned?: ArrayBuffer[] }) => ({ returned: e.returned ?? [] }));
        toReturn.push(...r.returned);
      }
      reply({ type: 'run-error', id: req.id, error: serializeError(err), returned: [], dropped: [] });
    }
  }
}

/**
 * Runs every preprocessor, encoder and the head a few times on plausible inputs before `ready`: the
 * first real result then costs what the hundredth does (it took ~160 ms instead of ~6 in the demo:
 * JIT compilation and ORT's first-run allocations). Nothing is cached from it.
 */
main().catch((err: unknown) => {
  post({ type: 'fatal', error: serializeError(err) });
  port.close();
});
