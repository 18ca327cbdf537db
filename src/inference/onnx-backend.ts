import * as ort from 'onnxruntime-node';
import { ModelError, InferenceError } from '../core/errors.ts';
import type { FloatTensor, InferenceBackend, InferenceSession, SessionOptions, TensorSpec } from './backend.ts';

/**
 * onnxruntime-node behind the {@link InferenceBackend} port. This is the only file that imports
 * onnxruntime-node (lint-enforced).
 *
 * `session.run()` is synchronous on the calling thread (the binding wraps the native call in a
 * setImmediate), so the runtime calls this from its inference worker, never the main thread.
 */
export class OnnxBackend implements InferenceBackend {
  readonly name = 'onnxruntime-node';

  async createSession(model: Uint8Array, label: string, options: SessionOptions = {}): Promise<InferenceSession> {
    const opts: ort.InferenceSession.SessionOptions = {
      executionProviders: ['cpu'],
      executionMode: 'sequential',
      graphOptimizationLevel: options.graphOptimization ?? 'all',
      intraOpNumThreads: options.intraOpThreads ?? 1,
      interOpNumThreads: 1,
      // An idle session with spinning on burns ~100 % of a core between frames (notes §5).
      extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    };
    if (options.optimizedModelPath) opts.optimizedModelFilePath = options.optimizedModelPath;
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(model, opts);
    } catch (err) {
      throw new ModelError(`${label}: onnxruntime could not load the model: ${(err as Error).message}`, {
        cause: err,
        file: label,
        code: 'E_MODEL_LOAD',
      });
    }
    return new OnnxSession(label, session);
  }
}

function toSpec(meta: ort.InferenceSession.ValueMetadata): TensorSpec {
  if (!meta.isTensor) return { name: meta.name, dtype: 'non-tensor', shape: [] };
  return { name: meta.name, dtype: meta.type, shape: meta.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : typeof d === 'string' ? d : -1)) };
}

class OnnxSession implements InferenceSession {
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  readonly label: string;
  readonly #session: ort.InferenceSession;

  constructor(label: string, session: ort.InferenceSession) {
    this.label = label;
    this.#session = session;
    this.inputs = session.inputMetadata.map(toSpec);
    this.outputs = session.outputMetadata.map(toSpec);
  }

  async run(feeds: Record<string, FloatTensor>): Promise<Record<string, FloatTensor>> {
    const ortFeeds: Record<string, ort.Tensor> = {};
    // new ort.Tensor over an existing Float32Array is zero-copy (notes §5).
    for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor('float32', t.data, t.dims);
    let out: ort.InferenceSession.ReturnType;
    try {
      out = await this.#session.run(ortFeeds);
    } catch (err) {
      throw new InferenceError(`${this.label}: run failed: ${(err as Error).message}`, { cause: err });
    }
    const result: Record<string, FloatTensor> = {};
    for (const [name, t] of Object.entries(out)) {
      if (!(t.data instanceof Float32Array)) {
        throw new InferenceError(`${this.label}: output ${name} is ${t.type}, expected float32`);
      }
      result[name] = { data: t.data, dims: t.dims };
    }
    return result;
  }

  async release(): Promise<void> {
    await this.#session.release();
  }
}
