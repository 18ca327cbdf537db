import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { payloadBuffers, type AnySample, type Modality } from '../core/sample.ts';
import { serializeError } from './protocol.ts';
import type { HelperInit, HelperReply, HelperRequest } from './preprocess-pool.ts';
import { armTransfers } from '../core/transfer-probe.ts';
import { lowerPriority, tryPin, warmPreprocessor, type PreprocessModule } from './worker-tuning.ts';

/**
 * A preprocessing helper of the inference worker: turns one modality's frame into its encoder
 * input while the inference worker prepares the others, so a fusion's critical path is the
 * slowest share rather than the sum. Pure TypeScript from the model set's own preprocess module;
 * the frame's buffers come back with the tensor (for the source's pool).
 */
type Preprocess = (payload: AnySample['payload']) => Float32Array;

const port = parentPort;
if (!port) throw new Error('preprocess-helper must run in a worker thread');
const init = workerData as HelperInit;

async function main(): Promise<void> {
  armTransfers();
  if (init.nice) lowerPriority(init.nice);
  if (init.cpus?.length) tryPin(init.cpus);
  const mod = (await import(init.preprocessModule)) as PreprocessModule;
  const pre = new Map<Modality, Preprocess>();
  for (const [m, spec] of Object.entries(init.specs) as [Modality, { op: string }][]) {
    const fn = mod.createPreprocessor(spec);
    pre.set(m, fn);
    // Warm, like the worker's own preprocessors: the first frames it gets then cost what later ones do.
    warmPreprocessor(fn, spec, mod);
  }
  port!.on('message', (req: HelperRequest) => {
    if (req.id < 0) throw new Error('asked to crash (test)');
    const returned = payloadBuffers(req.sample);
    try {
      const fn = pre.get(req.modality);
      if (!fn) throw new Error(`no preprocessor for ${req.modality}`);
      const t0 = performance.now();
      const x = fn(req.sample.payload);
      const reply: HelperReply = { id: req.id, x, ms: performance.now() - t0, returned };
      port!.postMessage(reply, [x.buffer as ArrayBuffer, ...returned]);
    } catch (err) {
      const reply: HelperReply = { id: req.id, error: serializeError(err), returned };
      port!.postMessage(reply, returned);
    }
  });
  port!.postMessage({ id: 0, returned: [] } satisfies HelperReply);
}

main().catch((err: unknown) => {
  port.postMessage({ id: -1, error: serializeError(err), returned: [] } satisfies HelperReply);
  port.close();
});
