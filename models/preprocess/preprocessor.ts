import { InferenceError } from '../../src/core/index.ts';
import type { PreprocessSpec } from './spec.ts';

/**
 * A model input builder: payload in, float32 tensor out (one sample, no batch dimension, row-major
 * in `shape`). Pass `out` to reuse a buffer. Preprocessors keep scratch state and are not
 * re-entrant; each inference worker owns its own.
 */
export interface Preprocessor<P> {
  (payload: P, out?: Float32Array): Float32Array;
  readonly shape: readonly number[];
  readonly spec: PreprocessSpec;
}

export function preprocessor<P>(spec: PreprocessSpec, shape: number[], run: (payload: P, out: Float32Array) => void): Preprocessor<P> {
  const size = shape.reduce((a, b) => a * b, 1);
  const fn = (payload: P, out?: Float32Array): Float32Array => {
    const dst = out ?? new Float32Array(size);
    if (dst.length !== size) throw inputError(spec, `output buffer holds ${dst.length} floats, need ${size}`);
    run(payload, dst);
    return dst;
  };
  return Object.assign(fn, { shape: Object.freeze([...shape]), spec });
}

/** The error for a payload a preprocessor cannot take (wrong kind, size, format or length). */
export function inputError(spec: PreprocessSpec, message: string): InferenceError {
  return new InferenceError(`preprocess ${spec.op}: ${message}`, { code: 'E_PREPROCESS_INPUT' });
}
