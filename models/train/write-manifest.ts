// Writes <reference dir>/manifest.json (CONTRACT.md "models/reference/manifest.json"):
//   write-manifest.ts <reference dir> <train-meta.json> <data dir>
// Input/output names come from the ONNX sessions themselves (and must match CONTRACT.md); shapes
// are the contract's, with -1 for the dynamic batch. No timestamps: same inputs, same bytes.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSession, ort } from './ort-session.ts';
import { EMBEDDING_DIM, ENCODER_INPUT, HEADS, LABELS, MODALITIES, embName, type Modality } from './spec.ts';

interface TensorSpec { name: string; dtype: 'float32'; shape: number[] }
interface FileEntry { file: string; sha256: string }
interface TrainMeta {
  camera: { mean: number[]; std: number[] };
  args: Record<string, number | string>;
  samples: { train: number; val: number };
  torch: string;
  onnx: string;
  numpy: string;
}

const [refDir, metaPath, dataDir] = process.argv.slice(2);
if (refDir === undefined || metaPath === undefined || dataDir === undefined) {
  console.error('usage: write-manifest.ts <reference dir> <train-meta.json> <data dir>');
  process.exit(2);
}
const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as TrainMeta;

const fileEntry = (file: string): FileEntry => ({
  file,
  sha256: createHash('sha256').update(readFileSync(join(refDir, file))).digest('hex'),
});
const emb = (name: string): TensorSpec => ({ name, dtype: 'float32', shape: [-1, EMBEDDING_DIM] });
const probs: TensorSpec = { name: 'probs', dtype: 'float32', shape: [-1, LABELS.length] };
const mask: TensorSpec = { name: 'mask', dtype: 'float32', shape: [-1, MODALITIES.length] };

/** Opens the model and checks that ORT sees exactly the expected input/output names. */
async function signature(file: string, inputs: TensorSpec[], output: TensorSpec): Promise<void> {
  const s: ort.InferenceSession = await createSession(join(refDir as string, file), { graphOptimizationLevel: 'disabled' });
  const want = inputs.map((i) => i.name).join(',');
  if (s.inputNames.join(',') !== want || s.outputNames.join(',') !== output.name) {
    throw new Error(`${file}: ORT reports inputs [${s.inputNames}] outputs [${s.outputNames}], expected [${want}] [${output.name}]`);
  }
  await s.release();
}

// Preprocessing: what the dataset export used (train/meta.json `preprocess`, CONTRACT.md values
// if absent), with the camera's mean/std measured by train.py on the train split and composed
// with whatever normalisation the export itself applied (CONTRACT: mean 0, std 1, i.e. x/255).
const CONTRACT_PREPROCESS: Record<Modality, Record<string, unknown>> = {
  camera: { op: 'image', width: 80, height: 60, mean: [0, 0, 0], std: [1, 1, 1] },
  depth: { op: 'depth', width: 80, height: 60, maxRangeM: 4.0 },
  lidar: { op: 'scan', bins: 360, maxRangeM: 12.0 },
  eeg: { op: 'eeg', channels: 8, rateHz: 250, length: 250, notchHz: [50, 60], bandHz: [1, 40], scaleUv: 50 },
};
const trainDataMeta = readJson(join(dataDir, 'train', 'meta.json'));
const dataPre = (trainDataMeta?.preprocess ?? CONTRACT_PREPROCESS) as Record<Modality, Record<string, unknown>>;
const cam = dataPre.camera as { mean: number[]; std: number[] };
// Float32-rounded, as train.py normalised with float32 mean/std.
const PREPROCESS: Record<Modality, Record<string, unknown>> = {
  ...dataPre,
  camera: {
    ...dataPre.camera,
    mean: meta.camera.mean.map((v, c) => Math.fround((cam.mean[c] ?? 0) + (cam.std[c] ?? 1) * v)),
    std: meta.camera.std.map((v, c) => Math.fround((cam.std[c] ?? 1) * v)),
  },
};
for (const m of MODALITIES) {
  const want = CONTRACT_PREPROCESS[m];
  for (const k of Object.keys(want)) {
    if (m === 'camera' && (k === 'mean' || k === 'std')) continue;
    if (JSON.stringify(PREPROCESS[m]?.[k]) !== JSON.stringify(want[k])) {
      console.warn(`[manifest] warning: dataset preprocess ${m}.${k} = ${JSON.stringify(PREPROCESS[m]?.[k])}, CONTRACT.md says ${JSON.stringify(want[k])}`);
    }
  }
}

const encoders: Record<string, unknown> = {};
for (const m of MODALITIES) {
  const input: TensorSpec = { name: ENCODER_INPUT[m].name, dtype: 'float32', shape: [-1, ...ENCODER_INPUT[m].shape] };
  const output = emb('emb');
  const file = `enc_${m}.int8.onnx`;
  const floatFile = `float/enc_${m}.onnx`;
  await signature(file, [input], output);
  await signature(floatFile, [input], output);
  encoders[m] = { ...fileEntry(file), precision: 'int8', input, output, preprocess: PREPROCESS[m], float: fileEntry(floatFile) };
}

const heads: Record<string, unknown> = {};
const headInputs = [...MODALITIES.map((m) => emb(embName(m))), mask];
for (const h of HEADS) {
  const file = `head_${h}.onnx`;
  await signature(file, headInputs, probs);
  heads[h] = { ...fileEntry(file), inputs: headInputs, output: probs };
}

const single: Record<string, unknown> = {};
const without: Record<string, unknown> = {};
for (const m of MODALITIES) {
  const sFile = `baselines/single_${m}.onnx`;
  await signature(sFile, [emb(embName(m))], probs);
  single[m] = { ...fileEntry(sFile), inputs: [emb(embName(m))], output: probs };
  const others = MODALITIES.filter((o) => o !== m).map((o) => emb(embName(o)));
  const wFile = `baselines/without_${m}.onnx`;
  await signature(wFile, others, probs);
  without[m] = { ...fileEntry(wFile), inputs: others, output: probs };
}

function readJson(p: string): Record<string, unknown> | null {
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>) : null;
}

/** Dataset provenance from the split's meta.json (written by export-dataset.ts), if present. */
function splitInfo(split: string): unknown {
  const m = readJson(join(dataDir as string, split, 'meta.json'));
  if (m === null) return null;
  return { seeds: m.seeds ?? m.seed ?? null, samples: m.count ?? m.n ?? null };
}

const args = meta.args;
const manifest = {
  format: 'sensorium.modelset/1',
  name: 'cell-reference',
  version: '1.0.0',
  labels: [...LABELS],
  modalities: [...MODALITIES],
  embeddingDim: EMBEDDING_DIM,
  defaultHead: 'attention',
  encoders,
  heads,
  baselines: { single, without },
  training: {
    seeds: { torch: args.seed, data: { train: splitInfo('train'), val: splitInfo('val'), calib: splitInfo('calib') } },
    samples: meta.samples,
    epochs: args.epochs,
    headSteps: args.head_steps,
    modalityDropout: { pDrop: args.p_drop, pAllPresent: args.p_all },
    torch: meta.torch,
    onnx: meta.onnx,
    opset: 17,
    onnxruntime: ort.env.versions.common,
    quantization: {
      format: 'QDQ',
      weights: 'int8 symmetric per output channel on a 7-bit grid [-63, 63] (no VPMADDUBSW saturation on AVX2 CPUs)',
      bias: 'int32 (scale s_x*s_w)',
      activations: 'uint8 asymmetric per tensor, min-max over the calib split (onnxruntime-node)',
      quantized: 'encoders only; heads and baselines float',
    },
  },
};
writeFileSync(join(refDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`[manifest] ${join(refDir, 'manifest.json')}`);
