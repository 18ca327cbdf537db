/**
 * Writes models/reference/MODEL_CARD.md from the manifest and a fresh evaluation (the same run as
 * `npm run models:eval`), plus the confusion-matrix picture. Run by models/train/build.sh after
 * the models and the card pictures exist:  node --import tsx models/train/write-card.ts
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Manifest } from '../../src/inference/manifest.ts';
import { range } from './export-dataset.ts';
import { checkTargets, evaluate, type EvalReport } from './evaluate.ts';
import { encodePng } from './png.ts';

const DIR = fileURLToPath(new URL('../reference/', import.meta.url));
const manifest = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as Manifest;
const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;

/** Heat map of the confusion matrix: one 48-px cell per (truth, prediction), row-normalised. */
function confusionPng(r: EvalReport): Buffer {
  const k = r.labels.length;
  const cell = 48;
  const size = k * cell;
  const rgb = new Uint8Array(size * size * 3);
  for (let i = 0; i < k; i++) {
    const row = r.confusion[i] as number[];
    const total = row.reduce((a, b) => a + b, 0) || 1;
    for (let j = 0; j < k; j++) {
      const v = (row[j] as number) / total;
      // white → deep blue; the diagonal should be the only dark cells
      const c = [Math.round(255 - 215 * v), Math.round(255 - 175 * v), Math.round(255 - 55 * v)];
      for (let y = i * cell + 1; y < (i + 1) * cell - 1; y++) {
        for (let x = j * cell + 1; x < (j + 1) * cell - 1; x++) rgb.set(c, (y * size + x) * 3);
      }
    }
  }
  return encodePng(size, size, rgb);
}

function fileTable(m: Manifest): string {
  const rows: string[] = ['| role | file | size | sha256 |', '|---|---|---|---|'];
  const add = (role: string, file: string, sha: string): void => {
    rows.push(`| ${role} | \`${file}\` | ${(statSync(join(DIR, file)).size / 1024).toFixed(1)} KiB | \`${sha.slice(0, 16)}…\` |`);
  };
  for (const mod of m.modalities) {
    const e = m.encoders[mod]!;
    add(`${mod} encoder (int8, runtime)`, e.file, e.sha256);
    if (e.float) add(`${mod} encoder (float, reference)`, e.float.file, e.float.sha256);
  }
  for (const [h, e] of Object.entries(m.heads)) add(`head \`${h}\`${h === m.defaultHead ? ' (default)' : ''}`, e.file, e.sha256);
  for (const [kind, g] of Object.entries(m.baselines ?? {})) for (const [mod, e] of Object.entries(g ?? {})) if (e) add(`baseline ${kind} ${mod}`, e.file, e.sha256);
  return rows.join('\n');
}

function totalBytes(m: Manifest): number {
  const files = [
    ...m.modalities.flatMap((mod) => [m.encoders[mod]!.file, ...(m.encoders[mod]!.float ? [m.encoders[mod]!.float!.file] : [])]),
    ...Object.values(m.heads).map((h) => h.file),
    ...Object.values(m.baselines ?? {}).flatMap((g) => Object.values(g ?? {}).map((h) => h!.file)),
  ];
  return files.reduce((a, f) => a + statSync(join(DIR, f)).size, 0) + statSync(join(DIR, 'manifest.json')).size;
}

const r = await evaluate({ modelDir: DIR, seeds: range(900000, 900100), count: 2000 });
writeFileSync(join(DIR, 'card', 'confusion.png'), confusionPng(r));
const fails = checkTargets(r);
const t = manifest.training as Record<string, unknown> | undefined;
const enc = (mod: string) => manifest.encoders[mod as keyof Manifest['encoders']]!;
const shape = (s: readonly number[]) => `[${s.map((d) => (d < 0 ? 'B' : d)).join(', ')}]`;

const md = `# Model card: \`${manifest.name}\` ${manifest.version}

Reference model set of Sensorium: four int8 encoders (camera, depth, LiDAR, EEG) and three fusion
heads (concatenation, learned weighted sum, cross-attention) that take the embeddings **and a
4-element modality-presence mask**. Trained on the simulated human–robot collaboration cell of
[\`../train/CONTRACT.md\`](../train/CONTRACT.md). **A reference and plumbing model** — it proves the
runtime and the central claim of multimodal fusion on a task built for it; it is not a perception
model for real cells.

## What the models see

One ground-truth state renders all four sensors. The cell's state is robot (running / paused) ×
operator (engaged at the station / resting in the break corner); each modality observes one factor.

| camera (running · paused) | depth, colour-mapped (running · paused) |
|---|---|
| ![camera](card/camera.png) | ![depth](card/depth.png) |

| LiDAR scan, top-down (operator engaged · resting) | EEG, 8 channels: raw with DC removed (top) and preprocessed (bottom), across an engaged → resting change |
|---|---|
| ![lidar](card/lidar.png) | ![eeg](card/eeg.png) |

Labels: ${manifest.labels.map((l, i) => `${i} \`${l}\``).join(', ')}.

## Inputs and preprocessing (pure TypeScript, \`models/preprocess/\`, shared by training and runtime)

| modality | input | preprocessing (manifest \`preprocess\`) |
|---|---|---|
| camera | \`${enc('camera').input.name}\` ${shape(enc('camera').input.shape)} | 640×480 rgb24 → 8×8 box average → \`(x/255 − mean)/std\` per channel (mean ${JSON.stringify((enc('camera').preprocess as { mean?: number[] }).mean?.map((v) => +v.toFixed(3)))}, std ${JSON.stringify((enc('camera').preprocess as { std?: number[] }).std?.map((v) => +v.toFixed(3)))}, measured on the training split) |
| depth | \`${enc('depth').input.name}\` ${shape(enc('depth').input.shape)} | Z16 mm → 8×8 box average of valid (non-zero) pixels in metres / 4 m |
| lidar | \`${enc('lidar').input.name}\` ${shape(enc('lidar').input.shape)} | 360 × 1° bins, metres / 12 m, 0 = no return |
| eeg | \`${enc('eeg').input.name}\` ${shape(enc('eeg').input.shape)} | last 250 samples @ 250 Hz: linear detrend + 50/60 Hz line removal, notch 50/60 Hz, band-pass 1–40 Hz (zero-phase), / 50 µV |

Encoders output \`emb\` [B, ${manifest.embeddingDim}]; heads take \`emb_camera, emb_depth, emb_lidar, emb_eeg\` and
\`mask\` [B, 4] (camera, depth, lidar, eeg; 1 present, 0 missing — a missing embedding is zeroed) and
output \`probs\` [B, ${manifest.labels.length}].

## Evaluation (${r.n} samples, seeds ${r.seeds[0]}–${r.seeds[1]}, never seen in training; onnxruntime-node ${(t?.onnxruntime as string) ?? ''})

Produced by \`npm run models:eval\` (same numbers); a test asserts the targets on another held-out sample.

| measure | value | target |
|---|---|---|
| fused top-1 (\`${r.head}\` head, int8 encoders, all present) | **${pct(r.fused)}** | ≥ 98 % |
${Object.entries(r.heads).map(([h, v]) => `| head \`${h}\` | ${pct(v)} | ≥ 98 % |`).join('\n')}
${Object.entries(r.single).map(([m, v]) => `| single modality: ${m} only | ${pct(v)} | ≤ 60 % |`).join('\n')}
| int8 vs float encoders: top-1 agreement (\`${r.head}\`) | ${pct(r.int8Agreement)} | ≥ 99.5 % |
| int8 vs float encoders: accuracy drop (\`${r.head}\`) | ${(r.int8Drop * 100).toFixed(2)} pts | ≤ 0.5 pts |
${Object.entries(r.missingOne).map(([m, v]) => `| ${m} masked out (mask 0) vs a head trained without ${m} | ${pct(v)} vs ${pct(r.withoutBaseline[m as keyof typeof r.withoutBaseline])} | ≥ baseline − 2 pts |`).join('\n')}

${fails.length ? `**Targets missed:** ${fails.join('; ')}` : 'All targets met.'} Per head, int8 vs float:
${Object.entries(r.int8PerHead).map(([h, v]) => `\`${h}\` agreement ${pct(v.agreement)}, drop ${(v.drop * 100).toFixed(2)} pts`).join('; ')}.

"Single modality" is each encoder with its jointly trained classifier (\`baselines/single_*.onnx\`):
by construction of the scene it sees one of two binary factors, so ~50 % is its ceiling. "Masked
out" feeds the default head a zero embedding and mask 0 for that modality; the reference is a
concat head trained on the other three embeddings only (\`baselines/without_*.onnx\`).

Confusion matrix of the fused \`${r.head}\` head (rows truth, columns prediction):

| | ${r.labels.join(' | ')} |
|---|${r.labels.map(() => '---').join('|')}|
${r.confusion.map((row, i) => `| **${r.labels[i]}** | ${row.join(' | ')} |`).join('\n')}

![confusion matrix](card/confusion.png)

## Architecture

- camera, depth: 4 × (Conv 3×3 stride 2 + ReLU), flatten (the arm's position matters), FC → ${manifest.embeddingDim}
- lidar: 4 × (Conv1d stride 2 + ReLU), flatten (bearing matters), FC → ${manifest.embeddingDim}
- eeg: 3 × (Conv1d stride 2 + ReLU), global average pool (band power is shift-invariant), FC → ${manifest.embeddingDim}
- heads: \`concat\` (masked embeddings + mask → FC → ReLU → FC → softmax); \`weighted\` (learned per-modality
  weights, softmax over the present modalities); \`attention\` (modality tokens, multi-head attention with
  missing modalities excluded as keys, masked mean-pool, softmax)
- training: encoders + concat head + per-modality classifiers jointly with modality dropout; the other
  heads and the baselines on frozen embeddings, also with modality dropout

## Quantization

Encoders: QDQ int8 — weights symmetric per output channel on a 7-bit grid (−63…63), biases int32,
activations uint8 asymmetric per tensor from min-max calibration run in onnxruntime-node on the
calibration split, ReLU folded into the producer's quantizer. The 7-bit weight grid is deliberate: on
x86 CPUs without AVX-512 VNNI (AVX2 only, like the build machine) ORT's u8×s8 kernels sum pairs of
products with saturation, and full-range weights overflowed (fused LiDAR encoder 50 % relative error);
on a 7-bit grid the fused and unfused kernels agree exactly (see \`models/train/README.md\`). onnxruntime fuses them into QLinearConv / QGemm kernels (checked by a test that
dumps ORT's optimised graph). Heads stay float: at this size the per-call floor dominates and int8 gains
nothing.

## Files (${(totalBytes(manifest) / 1048576).toFixed(2)} MiB in all)

${fileTable(manifest)}

## Training data and reproduction

${t ? `Seeds and sizes: \`${JSON.stringify((t as { seeds?: unknown }).seeds ?? t)}\`.` : ''}
Regenerate everything with \`npm run models:build\` (Debian \`python3-torch\` and \`python3-onnx\` via
\`/usr/bin/python3\`; see \`models/train/build.sh\`). CI never retrains: tests load these files.

## Limitations

Synthetic data from one simulated cell layout family; the factors are cleanly separable by design.
Do not use these weights on real sensors. The accuracy figures say the runtime computes what
training computed, and that the fusion and mask machinery work — not that the task is hard.
`;
writeFileSync(join(DIR, 'MODEL_CARD.md'), md);
process.stderr.write(`wrote ${join(DIR, 'MODEL_CARD.md')} (${fails.length ? `targets missed: ${fails.join('; ')}` : 'all targets met'})\n`);
