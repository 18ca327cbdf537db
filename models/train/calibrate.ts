// Min-max calibration in onnxruntime-node (onnx 1.12 has no reference evaluator):
//   calibrate.ts <aug.onnx> <tensors.json> <split dir> <modality> <train-meta.json> <ranges.json>
// Runs the augmented encoder (qdq.py augment: every float activation is a graph output) over the
// whole split and writes { tensor: [min, max] } for qdq.py quantize. Min-max rather than
// percentiles: for these small ReLU nets percentile clipping was no better (notes §3.3).
import { readFileSync, writeFileSync } from 'node:fs';
import { loadSplit, readCameraNorm } from './dataset.ts';
import { createSession, rows } from './ort-session.ts';
import { ENCODER_INPUT, MODALITIES, type Modality } from './spec.ts';

const BATCH = 64;

const [aug, tensorsPath, splitDir, modality, metaPath, out] = process.argv.slice(2);
if (aug === undefined || tensorsPath === undefined || splitDir === undefined || metaPath === undefined || out === undefined || !MODALITIES.includes(modality as Modality)) {
  console.error('usage: calibrate.ts <aug.onnx> <tensors.json> <split dir> <camera|depth|lidar|eeg> <train-meta.json> <ranges.json>');
  process.exit(2);
}
const m = modality as Modality;
const tensors = JSON.parse(readFileSync(tensorsPath, 'utf8')) as string[];
const split = loadSplit(splitDir, readCameraNorm(metaPath), [m]);
const input = split.x[m];
// Basic level only: the augmented graph must run as exported (no fusions hiding activations).
const session = await createSession(aug, { graphOptimizationLevel: 'basic' });
const lo = new Map<string, number>(tensors.map((t) => [t, Infinity]));
const hi = new Map<string, number>(tensors.map((t) => [t, -Infinity]));
for (let s = 0; s < split.n; s += BATCH) {
  const e = Math.min(split.n, s + BATCH);
  const res = await session.run({ [ENCODER_INPUT[m].name]: rows(input, ENCODER_INPUT[m].shape, s, e) });
  for (const t of tensors) {
    const data = res[t]?.data as Float32Array | undefined;
    if (data === undefined) throw new Error(`augmented model has no output ${t}`);
    let a = lo.get(t) ?? Infinity;
    let b = hi.get(t) ?? -Infinity;
    for (const v of data) {
      if (!Number.isFinite(v)) throw new Error(`${t}: non-finite activation`);
      if (v < a) a = v;
      if (v > b) b = v;
    }
    lo.set(t, a);
    hi.set(t, b);
  }
}
await session.release();
const ranges: Record<string, [number, number]> = {};
for (const t of tensors) ranges[t] = [lo.get(t) ?? 0, hi.get(t) ?? 0];
writeFileSync(out, `${JSON.stringify(ranges, null, 1)}\n`);
console.log(`[calibrate] ${m}: ${split.n} samples, ${tensors.length} tensors, input range [${ranges[tensors[0] ?? '']?.map((v) => v.toFixed(3)).join(', ')}]`);
