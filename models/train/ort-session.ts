// onnxruntime-node helpers for the offline model tools (models/train only; the runtime goes through
// src/inference/onnx-backend.ts). One intra-op thread and sequential execution keep every number
// these tools produce (calibration ranges, parity, accuracies) reproducible on a given machine.
import * as ort from 'onnxruntime-node';

export { ort };

export type Feeds = Record<string, ort.Tensor>;

export function createSession(path: string, extra: ort.InferenceSession.SessionOptions = {}): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(path, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    ...extra,
  });
}

export function f32(data: Float32Array, dims: number[]): ort.Tensor {
  return new ort.Tensor('float32', data, dims);
}

/** Rows [start, end) of a row-major [N, ...] array as a tensor (a view, no copy). */
export function rows(data: Float32Array, rowShape: number[], start: number, end: number): ort.Tensor {
  const per = rowShape.reduce((a, b) => a * b, 1);
  return f32(data.subarray(start * per, end * per), [end - start, ...rowShape]);
}

/** Run a single-output model over N rows in batches and concatenate the output rows. */
export async function runBatched(
  session: ort.InferenceSession,
  n: number,
  feedsFor: (start: number, end: number) => Feeds,
  batch = 64,
): Promise<{ data: Float32Array; width: number }> {
  const outName = session.outputNames[0];
  if (outName === undefined) throw new Error('model has no outputs');
  let out: Float32Array | undefined;
  let width = 0;
  for (let s = 0; s < n; s += batch) {
    const e = Math.min(n, s + batch);
    const res = await session.run(feedsFor(s, e));
    const t = res[outName];
    if (t === undefined) throw new Error(`missing output ${outName}`);
    const d = t.data as Float32Array;
    if (out === undefined) {
      width = d.length / (e - s);
      out = new Float32Array(n * width);
    }
    out.set(d, s * width);
  }
  return { data: out ?? new Float32Array(0), width };
}
