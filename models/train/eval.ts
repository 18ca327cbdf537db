/**
 * `npm run models:eval [-- --count N --seeds A-B --dir models/reference]`: evaluates the committed
 * models with onnxruntime-node on fresh held-out simulator seeds. Prints a table, then as its last
 * line one JSON object:
 * {"fused","single":{camera,depth,lidar,eeg},"missingOne":{…},"int8Agreement","int8Drop","heads":{…}, …}
 */
import { fileURLToPath } from 'node:url';
import { range } from './export-dataset.ts';
import { checkTargets, evaluate } from './evaluate.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i] as string, process.argv[i + 1] as string);
const dir = args.get('--dir') ?? fileURLToPath(new URL('../reference', import.meta.url));
const [a, b] = (args.get('--seeds') ?? '900000-900099').split('-').map(Number) as [number, number];
const count = Number(args.get('--count') ?? 2000);

const t0 = Date.now();
const r = await evaluate({ modelDir: dir, seeds: range(a, b + 1), count });
const pct = (x: number): string => `${(x * 100).toFixed(2)} %`.padStart(9);
const lines = [
  `model set ${dir}, ${r.n} samples from seeds ${r.seeds[0]}–${r.seeds[1]} (never used in training), ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  '',
  `fused (${r.head}, int8 encoders)  ${pct(r.fused)}`,
  ...Object.entries(r.heads).map(([h, v]) => `  head ${h.padEnd(10)}            ${pct(v)}   int8 vs float: agreement ${pct(r.int8PerHead[h]!.agreement)}, drop ${pct(r.int8PerHead[h]!.drop)}`),
  '',
  'modality   single    fused without it   head trained without it',
  ...Object.keys(r.single).map((m) => `  ${m.padEnd(8)} ${pct(r.single[m as keyof typeof r.single])}   ${pct(r.missingOne[m as keyof typeof r.missingOne])}          ${pct(r.withoutBaseline[m as keyof typeof r.withoutBaseline])}`),
];
const fails = checkTargets(r);
lines.push('', fails.length ? `TARGETS MISSED: ${fails.join('; ')}` : 'all targets met (fused ≥ 0.98, single ≤ 0.60, int8 agreement ≥ 0.995, drop ≤ 0.005, missing-one ≥ baseline − 0.02)');
process.stderr.write(`${lines.join('\n')}\n`);
const { confusion: _c, labels: _l, int8PerHead: _p, ...summary } = r;
console.log(JSON.stringify(summary));
process.exitCode = fails.length ? 1 : 0;
