// Golden fixture for the committed model set: `make-fixture.ts <reference dir> <val split dir>`.
// Writes <reference dir>/fixture/: the first val sample of each class as *model inputs* (camera
// already normalised with the manifest's mean/std), named by ONNX input (image/depth/scan/eeg.npy,
// float32 [4,...]), label.npy (int64), and expected.json with the float and int8 embeddings and
// each head's probabilities on the int8 embeddings, plus the tolerances to compare them with.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSplit } from './dataset.ts';
import { createSession, f32 } from './ort-session.ts';
import { EMBEDDING_DIM, ENCODER_INPUT, HEADS, LABELS, MODALITIES, embName, type Modality } from './spec.ts';

const [refDir, splitDir] = process.argv.slice(2);
if (refDir === undefined || splitDir === undefined) {
  console.error('usage: make-fixture.ts <reference dir> <val split dir>');
  process.exit(2);
}
interface ManifestLike {
  encoders: Record<Modality, { file: string; preprocess: { mean: number[]; std: number[] }; float: { file: string } }>;
  heads: Record<string, { file: string }>;
}
const manifest = JSON.parse(readFileSync(join(refDir, 'manifest.json'), 'utf8')) as ManifestLike;
const pre = manifest.encoders.camera.preprocess;
const split = loadSplit(splitDir, { mean: pre.mean, std: pre.std });

const picks: number[] = [];
for (let c = 0; c < LABELS.length; c++) {
  const i = split.y.findIndex((y) => y === c);
  if (i < 0) throw new Error(`no val sample of class ${c}`);
  picks.push(i);
}
const k = picks.length;

function npy(descr: '<f4' | '<i8', shape: number[], body: Uint8Array): Buffer {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), body]);
}

const out = join(refDir, 'fixture');
mkdirSync(out, { recursive: true });
const inputs = {} as Record<Modality, Float32Array>;
for (const m of MODALITIES) {
  const per = ENCODER_INPUT[m].shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(k * per);
  picks.forEach((i, r) => data.set(split.x[m].subarray(i * per, (i + 1) * per), r * per));
  inputs[m] = data;
  writeFileSync(join(out, `${ENCODER_INPUT[m].name}.npy`), npy('<f4', [k, ...ENCODER_INPUT[m].shape], new Uint8Array(data.buffer)));
}
const labels = BigInt64Array.from(picks, (i) => BigInt(split.y[i] ?? 0));
writeFileSync(join(out, 'label.npy'), npy('<i8', [k], new Uint8Array(labels.buffer)));

const round = (a: Float32Array): number[] => Array.from(a, (v) => Number(v.toPrecision(7)));
const embeddings: Record<string, { float: number[]; int8: number[] }> = {};
const embQ = {} as Record<Modality, Float32Array>;
for (const m of MODALITIES) {
  const { name, shape } = ENCODER_INPUT[m];
  const run = async (file: string): Promise<Float32Array> => {
    const s = await createSession(join(refDir, file));
    const r = (await s.run({ [name]: f32(inputs[m], [k, ...shape]) })).emb?.data as Float32Array;
    await s.release();
    return r;
  };
  const ef = await run(manifest.encoders[m].float.file);
  embQ[m] = await run(manifest.encoders[m].file);
  embeddings[m] = { float: round(ef), int8: round(embQ[m]) };
}
const probs: Record<string, number[]> = {};
for (const h of HEADS) {
  const s = await createSession(join(refDir, manifest.heads[h]?.file ?? ''));
  const feeds = Object.fromEntries(MODALITIES.map((m) => [embName(m), f32(embQ[m], [k, EMBEDDING_DIM])]));
  const r = await s.run({ ...feeds, mask: f32(new Float32Array(k * 4).fill(1), [k, 4]) });
  probs[h] = round(r.probs?.data as Float32Array);
  await s.release();
}
const expected = {
  about: 'First val sample of each class as model inputs; embeddings of the float and int8 encoders; head probs on the int8 embeddings with all modalities present.',
  labels: Array.from(labels, Number),
  tolerance: {
    floatEmbedding: { atol: 1e-4, rtol: 1e-4, why: 'float kernels differ across CPUs/ORT versions only by reassociation' },
    int8Embedding: { atol: 0.05, minCosineToFloat: 0.99, why: 'integer kernels are exact, but requantisation and the float-output QGemm may round differently on other CPUs' },
    probs: { atol: 0.02, argmaxEqualsLabel: true },
  },
  embeddings,
  probs,
};
writeFileSync(join(out, 'expected.json'), `${JSON.stringify(expected, null, 1)}\n`);
console.log(`[fixture] ${out}: samples ${picks.join(', ')} (labels ${Array.from(labels).join(', ')})`);
