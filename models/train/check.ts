// Evaluates the built model set in onnxruntime-node on one dataset split, exactly as shipped
// (files and camera normalisation from manifest.json):
//   check.ts <reference dir> <split dir> [--json out.json] [--strict]
// Prints fused accuracy per head (float and int8 encoders), int8-vs-float top-1 agreement,
// single-modality and missing-one accuracies against the without_<m> baselines, and checks that
// a missing modality's embedding does not matter. --strict exits 1 if a target is missed.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSplit } from './dataset.ts';
import { createSession, rows, runBatched, type ort } from './ort-session.ts';
import { EMBEDDING_DIM, ENCODER_INPUT, HEADS, MODALITIES, embName, type Modality } from './spec.ts';

const TARGET = { fused: 0.98, singleMax: 0.6, agreement: 0.995, drop: 0.005, missingSlack: 0.02 };

interface ManifestLike {
  encoders: Record<Modality, { file: string; preprocess: { mean?: number[]; std?: number[] }; float: { file: string } }>;
  heads: Record<string, { file: string }>;
  baselines: { single: Record<Modality, { file: string }>; without: Record<Modality, { file: string }> };
}

const argv = process.argv.slice(2);
const [refDir, splitDir] = argv;
if (refDir === undefined || splitDir === undefined) {
  console.error('usage: check.ts <reference dir> <split dir> [--json out.json] [--strict]');
  process.exit(2);
}
const jsonOut = argv.includes('--json') ? argv[argv.indexOf('--json') + 1] : undefined;
const strict = argv.includes('--strict');

const manifest = JSON.parse(readFileSync(join(refDir, 'manifest.json'), 'utf8')) as ManifestLike;
const pre = manifest.encoders.camera.preprocess;
const split = loadSplit(splitDir, { mean: pre.mean ?? [0, 0, 0], std: pre.std ?? [1, 1, 1] });
const n = split.n;
const open = (file: string): Promise<ort.InferenceSession> => createSession(join(refDir, file));

const embF = {} as Record<Modality, Float32Array>;
const embQ = {} as Record<Modality, Float32Array>;
const cosine: Record<string, { mean: number; min: number }> = {};
for (const m of MODALITIES) {
  const { name, shape } = ENCODER_INPUT[m];
  const x = split.x[m];
  for (const [file, into] of [[manifest.encoders[m].float.file, embF], [manifest.encoders[m].file, embQ]] as const) {
    const s = await open(file);
    into[m] = (await runBatched(s, n, (a, b) => ({ [name]: rows(x, shape, a, b) }))).data;
    await s.release();
  }
  let sum = 0;
  let min = 1;
  for (let i = 0; i < n; i++) {
    let ab = 0;
    let aa = 0;
    let bb = 0;
    for (let k = 0; k < EMBEDDING_DIM; k++) {
      const a = embF[m][i * EMBEDDING_DIM + k] ?? 0;
      const b = embQ[m][i * EMBEDDING_DIM + k] ?? 0;
      ab += a * b;
      aa += a * a;
      bb += b * b;
    }
    const c = ab / Math.sqrt(aa * bb || 1);
    sum += c;
    min = Math.min(min, c);
  }
  cosine[m] = { mean: sum / n, min };
}

function argmax(p: Float32Array, i: number, k: number): number {
  let best = 0;
  for (let j = 1; j < k; j++) if ((p[i * k + j] ?? 0) > (p[i * k + best] ?? 0)) best = j;
  return best;
}
function accuracy(p: Float32Array): number {
  let c = 0;
  for (let i = 0; i < n; i++) if (argmax(p, i, 4) === split.y[i]) c++;
  return c / n;
}
function agreement(p: Float32Array, q: Float32Array): number {
  let c = 0;
  for (let i = 0; i < n; i++) if (argmax(p, i, 4) === argmax(q, i, 4)) c++;
  return c / n;
}
const maskFor = (missing: Modality | null): Float32Array => {
  const mk = new Float32Array(n * 4).fill(1);
  if (missing !== null) for (let i = 0; i < n; i++) mk[i * 4 + MODALITIES.indexOf(missing)] = 0;
  return mk;
};
/** Deterministic garbage (large, sign-alternating) for a missing slot. */
const garbage = (): Float32Array => Float32Array.from({ length: n * EMBEDDING_DIM }, (_, i) => ((i * 7919) % 2001) - 1000);

async function runHead(s: ort.InferenceSession, embs: Record<Modality, Float32Array>, missing: Modality | null, fill?: Float32Array): Promise<Float32Array> {
  const mask = maskFor(missing);
  return (
    await runBatched(s, n, (a, b) => {
      const feeds: Record<string, ort.Tensor> = { mask: rows(mask, [4], a, b) };
      for (const m of MODALITIES) {
        const src = m === missing ? (fill ?? new Float32Array(n * EMBEDDING_DIM)) : embs[m];
        feeds[embName(m)] = rows(src, [EMBEDDING_DIM], a, b);
      }
      return feeds;
    })
  ).data;
}

const report = {
  samples: n,
  cosine,
  fused: {} as Record<string, { float: number; int8: number; agreement: number; drop: number }>,
  missing: {} as Record<string, Record<string, { int8: number; float: number; garbageMaxDelta: number }>>,
  single: {} as Record<string, { int8: number; float: number; agreement: number }>,
  without: {} as Record<string, { int8: number; float: number }>,
};
for (const h of HEADS) {
  const s = await open(manifest.heads[h]?.file ?? '');
  const pf = await runHead(s, embF, null);
  const pq = await runHead(s, embQ, null);
  report.fused[h] = { float: accuracy(pf), int8: accuracy(pq), agreement: agreement(pf, pq), drop: accuracy(pf) - accuracy(pq) };
  report.missing[h] = {};
  for (const m of MODALITIES) {
    const zq = await runHead(s, embQ, m);
    const gq = await runHead(s, embQ, m, garbage());
    let worst = 0;
    for (let i = 0; i < zq.length; i++) worst = Math.max(worst, Math.abs((zq[i] ?? 0) - (gq[i] ?? 0)));
    report.missing[h][m] = { int8: accuracy(zq), float: accuracy(await runHead(s, embF, m)), garbageMaxDelta: worst };
  }
  await s.release();
}
for (const m of MODALITIES) {
  const s = await open(manifest.baselines.single[m].file);
  const one = async (e: Record<Modality, Float32Array>): Promise<Float32Array> =>
    (await runBatched(s, n, (a, b) => ({ [embName(m)]: rows(e[m], [EMBEDDING_DIM], a, b) }))).data;
  const [pq, pf] = [await one(embQ), await one(embF)];
  report.single[m] = { int8: accuracy(pq), float: accuracy(pf), agreement: agreement(pf, pq) };
  await s.release();
  const w = await open(manifest.baselines.without[m].file);
  const others = MODALITIES.filter((o) => o !== m);
  const run = async (e: Record<Modality, Float32Array>): Promise<Float32Array> =>
    (await runBatched(w, n, (a, b) => Object.fromEntries(others.map((o) => [embName(o), rows(e[o], [EMBEDDING_DIM], a, b)])))).data;
  report.without[m] = { int8: accuracy(await run(embQ)), float: accuracy(await run(embF)) };
  await w.release();
}

// ----- print and judge ----------------------------------------------------------------------
const pct = (v: number): string => v.toFixed(4);
const fails: string[] = [];
console.log(`[check] ${splitDir}: ${n} samples`);
console.log('[check] encoder cosine(int8, float) mean/min: ' + MODALITIES.map((m) => `${m} ${cosine[m]?.mean.toFixed(4)}/${cosine[m]?.min.toFixed(4)}`).join('  '));
for (const h of HEADS) {
  const f = report.fused[h];
  if (!f) continue;
  console.log(`[check] head ${h.padEnd(9)} fused float ${pct(f.float)} int8 ${pct(f.int8)} agreement ${pct(f.agreement)} drop ${pct(f.drop)}`);
  if (f.int8 < TARGET.fused) fails.push(`${h}: fused int8 accuracy ${pct(f.int8)} < ${TARGET.fused}`);
  if (f.agreement < TARGET.agreement) fails.push(`${h}: int8 agreement ${pct(f.agreement)} < ${TARGET.agreement}`);
  if (f.drop > TARGET.drop) fails.push(`${h}: int8 accuracy drop ${pct(f.drop)} > ${TARGET.drop}`);
  const parts: string[] = [];
  for (const m of MODALITIES) {
    const r = report.missing[h]?.[m];
    const base = report.without[m]?.int8 ?? 0;
    if (!r) continue;
    parts.push(`-${m} ${pct(r.int8)} (without ${pct(base)})`);
    if (r.int8 < base - TARGET.missingSlack) fails.push(`${h}: missing ${m} ${pct(r.int8)} < without_${m} ${pct(base)} - ${TARGET.missingSlack}`);
    if (r.garbageMaxDelta !== 0) fails.push(`${h}: garbage in missing ${m} changes probs by ${r.garbageMaxDelta}`);
  }
  console.log(`[check]   missing one (int8): ${parts.join('  ')}`);
}
console.log('[check] single (int8/float, agreement): ' + MODALITIES.map((m) => `${m} ${pct(report.single[m]?.int8 ?? 0)}/${pct(report.single[m]?.float ?? 0)} ${pct(report.single[m]?.agreement ?? 0)}`).join('  '));
for (const m of MODALITIES) {
  if ((report.single[m]?.int8 ?? 1) > TARGET.singleMax) fails.push(`single ${m} ${pct(report.single[m]?.int8 ?? 1)} > ${TARGET.singleMax}`);
}
for (const f of fails) console.log(`[check] MISSED ${f}`);
console.log(fails.length === 0 ? '[check] all targets met' : `[check] ${fails.length} target(s) missed`);
if (jsonOut !== undefined) writeFileSync(jsonOut, `${JSON.stringify({ ...report, fails }, null, 1)}\n`);
if (strict && fails.length > 0) process.exit(1);
