import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ModelSet } from '../inference/model-set.ts';
import { OnnxBackend } from '../inference/onnx-backend.ts';

/** `sensorium inspect <model-dir>`: verifies every file against the manifest and loads it in ORT. */
export async function inspectCommand(dirArg: string, opts: { json: boolean }): Promise<number> {
  const dir = resolve(dirArg);
  const backend = new OnnxBackend();
  const sets = [await ModelSet.load(dir, backend, { head: '*', baselines: true }), await ModelSet.load(dir, backend, { head: '*', precision: 'float' })];
  const m = sets[0]!.manifest;
  const size = (f: string): number => statSync(join(dir, f)).size;
  const files: { role: string; file: string; bytes: number; sha256: string }[] = [];
  for (const mod of m.modalities) {
    const e = m.encoders[mod]!;
    files.push({ role: `encoder ${mod} (${e.precision})`, file: e.file, bytes: size(e.file), sha256: e.sha256 });
    if (e.float) files.push({ role: `encoder ${mod} (float)`, file: e.float.file, bytes: size(e.float.file), sha256: e.float.sha256 });
  }
  for (const [name, h] of Object.entries(m.heads)) files.push({ role: `head ${name}${name === m.defaultHead ? ' (default)' : ''}`, file: h.file, bytes: size(h.file), sha256: h.sha256 });
  for (const [kind, group] of Object.entries(m.baselines ?? {})) {
    for (const [mod, h] of Object.entries(group ?? {})) if (h) files.push({ role: `baseline ${kind} ${mod}`, file: h.file, bytes: size(h.file), sha256: h.sha256 });
  }
  await Promise.all(sets.map((s) => s.release()));
  const total = files.reduce((a, f) => a + f.bytes, 0);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ name: m.name, version: m.version, labels: m.labels, modalities: m.modalities, files, totalBytes: total, verified: true })}\n`);
    return 0;
  }
  const out = [
    `${m.name} ${m.version}  (${dir})`,
    `labels:     ${m.labels.join(', ')}`,
    `modalities: ${m.modalities.join(', ')}  (embedding ${m.embeddingDim})`,
    '',
  ];
  for (const mod of m.modalities) {
    const e = m.encoders[mod]!;
    out.push(`  ${mod.padEnd(7)} ${e.input.name}[${e.input.shape.join(',')}] → ${e.output.name}[${e.output.shape.join(',')}]  preprocess ${JSON.stringify(e.preprocess)}`);
  }
  out.push('');
  for (const f of files) out.push(`  ${f.role.padEnd(28)} ${f.file.padEnd(36)} ${(f.bytes / 1024).toFixed(1).padStart(8)} KiB  sha256 ${f.sha256.slice(0, 12)}… ok`);
  out.push('', `all ${files.length} files match manifest.json and load in onnxruntime-node; total ${(total / 1048576).toFixed(2)} MiB`);
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}
