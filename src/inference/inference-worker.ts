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

  let queue: Promise<void> = Promise.resolve();
  port!.on('message', (msg: RunRequest | { type: 'close' }) => {
    if (msg.type === 'close') {
      queue = queue.then(async () => {
        await models.release();
        port!.close();
      });
      return;
    }
    queue = queue.then(() => run(msg));
  });

  async function run(req: RunRequest): Promise<void> {
    const returned: ArrayBuffer[] = [];
    try {
      const t0 = performance.now();
      const inputs: { modality: Modality; key: string; x: Float32Array }[] = [];
      const embs: Partial<Record<Modality, Float32Array>> = {};
      const mask = new Float32Array(models.modalities.length);
      for (const input of req.inputs) {
        if (input.state === 'data') {
          const fn = pre.get(input.modality);
          if (!fn) throw new InferenceError(`no preprocessor for ${input.modality}`);
          inputs.push({ modality: input.modality, key: input.key, x: fn(input.sample.payload) });
          returned.push(...payloadBuffers(input.sample));
        } else if (input.state === 'cached') {
          const hit = cache.get(input.modality);
          if (hit && hit.key === input.key) embs[input.modality] = hit.emb;
        }
      }
      const t1 = performance.now();
      const encoded: Modality[] = [];
      for (const { modality, key, x } of inputs) {
        const emb = await models.encode(modality, x);
        cache.set(modality, { key, emb });
        embs[modality] = emb;
        encoded.push(modality);
      }
      const t2 = performance.now();
      models.modalities.forEach((m, i) => {
        mask[i] = embs[m] ? 1 : 0;
        if (!embs[m]) embs[m] = zeros;
      });
      // Copy: the output tensor's buffer belongs to ORT's binding; 4 floats cost nothing to clone.
      const probs = Float32Array.from(await models.fuse(embs, mask));
      const t3 = performance.now();
      post(
        { type: 'result', id: req.id, probs, mask, stageMs: { preprocess: t1 - t0, encode: t2 - t1, fuse: t3 - t2 }, encoded, returned },
        returned,
      );
    } catch (err) {
      post({ type: 'run-error', id: req.id, error: serializeError(err), returned }, returned);
    }
  }
}

main().catch((err: unknown) => {
  post({ type: 'fatal', error: serializeError(err) });
  port.close();
});
