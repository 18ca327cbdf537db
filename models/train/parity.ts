// ORT-vs-torch check of the float export: `parity.ts <float dir>` runs every exported model on the
// inputs train.py saved under <dir>/parity/<model>/ and compares with torch's outputs there.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readF32 } from './npy.ts';
import { createSession, f32, type Feeds } from './ort-session.ts';

const TOL = 1e-4; // relative to max(1, max|ref|); measured deltas are ~1e-6

const dir = process.argv[2];
if (dir === undefined) {
  console.error('usage: parity.ts <float dir>');
  process.exit(2);
}
let worst = 0;
let failed = false;
for (const model of readdirSync(join(dir, 'parity')).sort()) {
  const pdir = join(dir, 'parity', model);
  const files = readdirSync(pdir).sort();
  const feeds: Feeds = {};
  for (const f of files.filter((f) => f.startsWith('in.'))) {
    const a = readF32(join(pdir, f));
    feeds[f.slice(3, -4)] = f32(a.data, a.shape);
  }
  const outFile = files.find((f) => f.startsWith('out.'));
  if (outFile === undefined) throw new Error(`${pdir}: no reference output`);
  const ref = readF32(join(pdir, outFile));
  const session = await createSession(join(dir, `${model}.onnx`));
  const res = await session.run(feeds);
  const got = res[outFile.slice(4, -4)]?.data as Float32Array | undefined;
  await session.release();
  if (got === undefined || got.length !== ref.data.length) throw new Error(`${model}: output shape mismatch`);
  let maxAbs = 0;
  let maxRef = 0;
  for (let i = 0; i < got.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs((got[i] ?? 0) - (ref.data[i] ?? 0)));
    maxRef = Math.max(maxRef, Math.abs(ref.data[i] ?? 0));
  }
  const rel = maxAbs / Math.max(1, maxRef);
  worst = Math.max(worst, rel);
  const ok = rel <= TOL;
  if (!ok) failed = true;
  console.log(`[parity] ${model.padEnd(16)} max|Δ| ${maxAbs.toExponential(2)} (max|ref| ${maxRef.toFixed(3)}) ${ok ? 'ok' : 'FAIL'}`);
}
console.log(`[parity] worst relative ${worst.toExponential(2)} (tolerance ${TOL})`);
if (failed) process.exit(1);
