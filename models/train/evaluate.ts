/**
 * Evaluation of a model set on fresh simulator seeds that training never saw (≥ 900000), through
 * the runtime's own code path: models/preprocess (with the manifest's specs) and
 * src/inference/ModelSet on onnxruntime-node. Used by `npm run models:eval`, by the model card,
 * and by the test that asserts the targets.
 */
import { MODALITIES, type Modality } from '../../src/core/sample.ts';
import { ModelSet } from '../../src/inference/model-set.ts';
import { OnnxBackend } from '../../src/inference/onnx-backend.ts';
import type { PreprocessSpec } from '../preprocess/index.ts';
import { range, renderSampleSet } from './export-dataset.ts';

export interface EvalOptions {
  modelDir: string;
  /** World seeds (default 900000–900099). */
  seeds?: readonly number[];
  /** Samples spread over the seeds (default 2000). */
  count?: number;
  batch?: number;
}

export interface EvalReport {
  /** Top-1 of the default head, int8 encoders, all modalities present. */
  fused: number;
  /** Best single-modality model (the jointly trained per-modality classifier) per modality. */
  single: Record<Modality, number>;
  /** Default head with that modality masked out (its embedding zeroed, mask 0). */
  missingOne: Record<Modality, number>;
  /** Reference for missingOne: a head trained on only the other three modalities. */
  withoutBaseline: Record<Modality, number>;
  /** Top-1 agreement of int8 vs float encoders (default head), and the accuracy lost to int8. */
  int8Agreement: number;
  int8Drop: number;
  /** Every head, int8 encoders, all present. */
  heads: Record<string, number>;
  /** Per head: agreement and drop, int8 vs float encoders. */
  int8PerHead: Record<string, { agreement: number; drop: number }>;
  /** Rows = truth, columns = prediction (default head, int8). */
  confusion: number[][];
  labels: string[];
  head: string;
  n: number;
  seeds: [number, number];
}

const argmax = (p: Float32Array, row: number, k: number): number => {
  let best = 0;
  for (let j = 1; j < k; j++) if ((p[row * k + j] as number) > (p[row * k + best] as number)) best = j;
  return best;
};

async function embedAll(models: ModelSet, x: Record<Modality, Float32Array>, n: number, batch: number): Promise<Record<Modality, Float32Array>> {
  const dim = models.embeddingDim;
  const out = {} as Record<Modality, Float32Array>;
  for (const m of models.modalities) {
    const per = x[m].length / n;
    const emb = new Float32Array(n * dim);
    for (let i = 0; i < n; i += batch) {
      const b = Math.min(batch, n - i);
      emb.set(await models.encode(m, x[m].subarray(i * per, (i + b) * per), b), i * dim);
    }
    out[m] = emb;
  }
  return out;
}

async function predict(run: (embs: Partial<Record<Modality, Float32Array>>, mask: Float32Array, b: number) => Promise<Float32Array>, embs: Record<Modality, Float32Array>, n: number, k: number, dim: number, batch: number, missing?: Modality): Promise<Int32Array> {
  const pred = new Int32Array(n);
  for (let i = 0; i < n; i += batch) {
    const b = Math.min(batch, n - i);
    const slice: Partial<Record<Modality, Float32Array>> = {};
    for (const m of MODALITIES) slice[m] = m === missing ? new Float32Array(b * dim) : embs[m].subarray(i * dim, (i + b) * dim);
    const mask = new Float32Array(b * 4).fill(1);
    if (missing) for (let r = 0; r < b; r++) mask[r * 4 + MODALITIES.indexOf(missing)] = 0;
    const p = await run(slice, mask, b);
    for (let r = 0; r < b; r++) pred[i + r] = argmax(p, r, k);
  }
  return pred;
}

const accuracy = (pred: Int32Array, labels: Int32Array): number => {
  let c = 0;
  for (let i = 0; i < labels.length; i++) if (pred[i] === labels[i]) c++;
  return c / labels.length;
};
const agreement = (a: Int32Array, b: Int32Array): number => {
  let c = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) c++;
  return c / a.length;
};
const r4 = (x: number): number => Math.round(x * 10000) / 10000;

export async function evaluate(o: EvalOptions): Promise<EvalReport> {
  const seeds = o.seeds ?? range(900000, 900100);
  const count = o.count ?? 2000;
  const batch = o.batch ?? 64;
  const backend = new OnnxBackend();
  const int8 = await ModelSet.load(o.modelDir, backend, { head: '*', baselines: true, session: { intraOpThreads: 1 } });
  const float = await ModelSet.load(o.modelDir, backend, { head: '*', precision: 'float', session: { intraOpThreads: 1 } });
  try {
    const specs = Object.fromEntries(int8.modalities.map((m) => [m, int8.manifest.encoders[m]!.preprocess])) as unknown as Record<Modality, PreprocessSpec>;
    const set = renderSampleSet(seeds, count, specs);
    const n = set.n;
    const k = int8.labels.length;
    const dim = int8.embeddingDim;
    const e8 = await embedAll(int8, set.x, n, batch);
    const ef = await embedAll(float, set.x, n, batch);
    const head = int8.manifest.defaultHead;
    const heads: Record<string, number> = {};
    const int8PerHead: EvalReport['int8PerHead'] = {};
    let defaultPred: Int32Array = new Int32Array(0);
    for (const h of Object.keys(int8.manifest.heads)) {
      const p8 = await predict((e, m, b) => int8.fuse(e, m, b, h), e8, n, k, dim, batch);
      const pf = await predict((e, m, b) => float.fuse(e, m, b, h), ef, n, k, dim, batch);
      heads[h] = r4(accuracy(p8, set.labels));
      int8PerHead[h] = { agreement: r4(agreement(p8, pf)), drop: r4(accuracy(pf, set.labels) - accuracy(p8, set.labels)) };
      if (h === head) defaultPred = p8;
    }
    const single = {} as Record<Modality, number>;
    const missingOne = {} as Record<Modality, number>;
    const withoutBaseline = {} as Record<Modality, number>;
    for (const m of int8.modalities) {
      single[m] = r4(accuracy(await predict((e, _m, b) => int8.baseline(`single:${m}`, e, b), e8, n, k, dim, batch), set.labels));
      missingOne[m] = r4(accuracy(await predict((e, mk, b) => int8.fuse(e, mk, b, head), e8, n, k, dim, batch, m), set.labels));
      withoutBaseline[m] = r4(accuracy(await predict((e, _m, b) => int8.baseline(`without:${m}`, e, b), e8, n, k, dim, batch), set.labels));
    }
    const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
    for (let i = 0; i < n; i++) (confusion[set.labels[i] as number] as number[])[defaultPred[i] as number]! += 1;
    return {
      fused: heads[head] as number,
      single,
      missingOne,
      withoutBaseline,
      int8Agreement: (int8PerHead[head] as { agreement: number }).agreement,
      int8Drop: (int8PerHead[head] as { drop: number }).drop,
      heads,
      int8PerHead,
      confusion,
      labels: [...int8.labels],
      head,
      n,
      seeds: [seeds[0] as number, seeds[seeds.length - 1] as number],
    };
  } finally {
    await Promise.all([int8.release(), float.release()]);
  }
}

/** The targets, checked by the test and printed by models:eval. */
export function checkTargets(r: EvalReport): string[] {
  const fails: string[] = [];
  if (r.fused < 0.98) fails.push(`fused ${r.fused} < 0.98`);
  for (const [m, a] of Object.entries(r.single)) if (a > 0.6) fails.push(`single ${m} ${a} > 0.60`);
  if (r.int8Agreement < 0.995) fails.push(`int8Agreement ${r.int8Agreement} < 0.995`);
  if (r.int8Drop > 0.005) fails.push(`int8Drop ${r.int8Drop} > 0.005`);
  for (const [m, a] of Object.entries(r.missingOne)) {
    const ref = r.withoutBaseline[m as Modality];
    if (a < ref - 0.02) fails.push(`missingOne ${m} ${a} < without-${m} baseline ${ref} − 0.02`);
  }
  return fails;
}
