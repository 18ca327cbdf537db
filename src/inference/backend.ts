/**
 * The inference port. `onnx-backend.ts` implements it with onnxruntime-node (the only file that
 * imports it); tests of one seam may implement it with a fake.
 */

/** dtype names as ONNX Runtime spells them. */
export type TensorDtype = 'float32' | 'float16' | 'uint8' | 'int8' | 'int32' | 'int64' | 'bool' | 'string';

/** A declared input or output: `shape` entries are sizes, or -1 / a symbol for dynamic dims. */
export interface TensorSpec {
  name: string;
  dtype: TensorDtype | string;
  shape: readonly (number | string)[];
}

export interface FloatTensor {
  data: Float32Array;
  dims: readonly number[];
}

export interface SessionOptions {
  /** Threads of ORT's intra-op pool. Default 1: on ≤ 2 cores several pools fight (notes §5). */
  intraOpThreads?: number;
  /** Default `all`. */
  graphOptimization?: 'disabled' | 'basic' | 'extended' | 'all';
  /** Write ORT's optimised graph here (to inspect which kernels run). */
  optimizedModelPath?: string;
}

export interface InferenceSession {
  readonly label: string;
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  /** Runs the model; inputs are float32 (all our models take float32 and quantize inside). */
  run(feeds: Record<string, FloatTensor>): Promise<Record<string, FloatTensor>>;
  release(): Promise<void>;
}

export interface InferenceBackend {
  readonly name: string;
  /** `label` names the model in errors (usually its file name). */
  createSession(model: Uint8Array, label: string, options?: SessionOptions): Promise<InferenceSession>;
}
