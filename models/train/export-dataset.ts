/**
 * Dataset export (CONTRACT.md "Dataset files"): renders the simulated cell as the runtime would
 * see it — newest camera/depth/LiDAR frame at or before t on each device's clock, the EEG window
 * ending at t — runs models/preprocess on it and writes `.npy` files plus meta.json per split.
 *
 *   node --import tsx models/train/export-dataset.ts --out models/train/.data [--train N --val N --calib N]
 *
 * Everything is seeded: the same arguments give byte-identical files. `renderSampleSet` produces
 * the same kind of samples in memory for the evaluator (seeds ≥ 900000).
 */
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LABELS, SimWorld, Stream, hash32, observeAt, type LabelIndex } from '../../devices/sim/index.ts';
import { DATASET_PREPROCESS, createPreprocessor, outputShape, type PreprocessSpec } from '../preprocess/index.ts';

export const SPLITS = {
  train: { seeds: range(1000, 2000), count: 12000 },
  val: { seeds: range(2000, 2100), count: 1500 },
  calib: { seeds: range(3000, 3010), count: 256 },
} as const;
export type SplitName = keyof typeof SPLITS;

const MODALITIES = ['camera', 'depth', 'lidar', 'eeg'] as const;
type Modality = (typeof MODALITIES)[number];
type Specs = Record<Modality, PreprocessSpec>;

const T_BASE_NS = 1_700_000_000_000_000_000n;
/** Sample times are drawn from one day after T_BASE (lighting slots, traffic, drift all vary). */
const SPAN_NS = 86_400_000_000_000n;
/** CONTRACT.md: evaluation excludes |t − change| < 1 s; so does training. */
const GUARD_NS = 1_000_000_000n;

export interface SampleMeta {
  seed: number;
  t: bigint;
  label: LabelIndex;
  /** Capture times of the frames used (EEG: the window's last sample). */
  frames: Record<Modality, bigint>;
}

export interface RenderedSample {
  meta: SampleMeta;
  /** Preprocessed model inputs; views into buffers reused for the next sample. */
  x: Record<Modality, Float32Array>;
}

/** `count` sample instants spread evenly over `seeds`, each ≥ 1 s from any label change. */
export function samplePlan(seeds: readonly number[], count: number): { seed: number; t: bigint }[] {
  const out: { seed: number; t: bigint }[] = [];
  seeds.forEach((seed, i) => {
    const n = Math.floor(count / seeds.length) + (i < count % seeds.length ? 1 : 0);
    const world = new SimWorld({ seed });
    for (let j = 0, attempt = 0; j < n; attempt++) {
      const u = (hash32(seed, Stream.sampleTimes, attempt, 1) * 4294967296 + hash32(seed, Stream.sampleTimes, attempt, 2)) / 2 ** 64;
      const t = T_BASE_NS + BigInt(Math.floor(u * Number(SPAN_NS)));
      if (world.timeline.distanceToChange(t) < GUARD_NS) continue;
      out.push({ seed, t });
      j++;
    }
  });
  return out;
}

/** Renders and preprocesses the plan's samples one by one (one world alive at a time). */
export function* renderSamples(plan: readonly { seed: number; t: bigint }[], specs: Specs = DATASET_PREPROCESS): Generator<RenderedSample> {
  const pre = Object.fromEntries(MODALITIES.map((m) => [m, createPreprocessor(specs[m])])) as Record<Modality, ReturnType<typeof createPreprocessor>>;
  const x = Object.fromEntries(MODALITIES.map((m) => [m, new Float32Array(size(outputShape(specs[m])))])) as Record<Modality, Float32Array>;
  const buffers = { camera: new Uint8Array(640 * 480 * 3), depth: new Uint16Array(640 * 480), lidar: new Float32Array(360) };
  let world: SimWorld | undefined;
  for (const { seed, t } of plan) {
    if (world?.seed !== seed) world = new SimWorld({ seed });
    const o = observeAt(world, t, { buffers });
    pre.camera(o.camera.payload, x.camera);
    pre.depth(o.depth.payload, x.depth);
    pre.lidar(o.lidar.payload, x.lidar);
    pre.eeg(o.eeg.chunk, x.eeg);
    yield {
      meta: { seed, t, label: world.timeline.labelAt(t), frames: { camera: o.camera.t, depth: o.depth.t, lidar: o.lidar.t, eeg: o.eeg.tLast } },
      x,
    };
  }
}

export interface SampleSet {
  n: number;
  /** Model inputs laid end to end: `[n, ...shape]` row-major. */
  x: Record<Modality, Float32Array>;
  labels: Int32Array;
  meta: SampleMeta[];
}

/**
 * In-memory samples for evaluation, e.g. `renderSampleSet(range(900000, 900050), 2000, manifestSpecs)`.
 * With the manifest's specs the camera input comes out normalised exactly as the runtime feeds it.
 */
export function renderSampleSet(seeds: readonly number[], count: number, specs: Specs = DATASET_PREPROCESS): SampleSet {
  const plan = samplePlan(seeds, count);
  const x = Object.fromEntries(MODALITIES.map((m) => [m, new Float32Array(plan.length * size(outputShape(specs[m])))])) as Record<Modality, Float32Array>;
  const labels = new Int32Array(plan.length);
  const meta: SampleMeta[] = [];
  let i = 0;
  for (const s of renderSamples(plan, specs)) {
    for (const m of MODALITIES) x[m].set(s.x[m], i * s.x[m].length);
    labels[i++] = s.meta.label;
    meta.push(s.meta);
  }
  return { n: plan.length, x, labels, meta };
}

/** Writes one split: five .npy files streamed sample by sample, then meta.json. */
export function exportSplit(dir: string, split: SplitName, count: number, log: (msg: string) => void = () => {}): void {
  mkdirSync(dir, { recursive: true });
  const { seeds } = SPLITS[split];
  const plan = samplePlan(seeds, count);
  const files = Object.fromEntries(
    MODALITIES.map((m) => [m, openNpy(join(dir, `${m}.npy`), '<f4', [plan.length, ...outputShape(DATASET_PREPROCESS[m])])]),
  ) as Record<Modality, number>;
  const labels = new BigInt64Array(plan.length);
  const meta: SampleMeta[] = [];
  let i = 0;
  const t0 = performance.now();
  for (const s of renderSamples(plan)) {
    for (const m of MODALITIES) writeSync(files[m], new Uint8Array(s.x[m].buffer, s.x[m].byteOffset, s.x[m].byteLength));
    labels[i++] = BigInt(s.meta.label);
    meta.push(s.meta);
    if (i % 500 === 0) log(`${split}: ${i}/${plan.length} (${((performance.now() - t0) / i).toFixed(1)} ms/sample)`);
  }
  for (const m of MODALITIES) closeSync(files[m]);
  const lf = openNpy(join(dir, 'label.npy'), '<i8', [plan.length]);
  writeSync(lf, new Uint8Array(labels.buffer));
  closeSync(lf);
  const counts = [0, 0, 0, 0];
  for (const m of meta) counts[m.label]!++;
  const json = {
    format: 'sensorium.dataset/1',
    split,
    count: plan.length,
    seeds: { first: seeds[0], last: seeds[seeds.length - 1], count: seeds.length },
    labels: LABELS,
    labelCounts: counts,
    preprocess: DATASET_PREPROCESS,
    notes: 'camera.npy holds x/255 box averages (mean 0, std 1); train.py measures and applies the camera mean/std. Times are ns on the host timeline (strings).',
    samples: {
      seed: meta.map((m) => m.seed),
      t: meta.map((m) => m.t.toString()),
      label: meta.map((m) => m.label),
      frames: Object.fromEntries(MODALITIES.map((m) => [m, meta.map((s) => s.frames[m].toString())])),
    },
  };
  writeFileSync(join(dir, 'meta.json'), `${JSON.stringify(json, null, 1)}\n`);
}

/** Opens a `.npy` v1.0 file and writes its header (shape known up front); returns the fd. */
function openNpy(path: string, descr: '<f4' | '<i8', shape: number[]): number {
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  // magic (6) + version (2) + header length (2) + header, padded with spaces to a multiple of 64, ending in \n.
  const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
  const header = Buffer.alloc(total, 0x20);
  header.write('\x93NUMPY', 0, 'latin1');
  header[6] = 1;
  header[7] = 0;
  header.writeUInt16LE(total - 10, 8);
  header.write(dict, 10, 'latin1');
  header[total - 1] = 0x0a;
  const fd = openSync(path, 'w');
  writeSync(fd, header);
  return fd;
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function range(a: number, b: number): number[] {
  return Array.from({ length: b - a }, (_, i) => a + i);
}

function main(argv: string[]): void {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i] ?? '';
    const v = argv[i + 1];
    if (!k.startsWith('--') || v === undefined) throw new Error(`usage: export-dataset.ts --out DIR [--train N] [--val N] [--calib N] (bad argument ${k})`);
    args.set(k.slice(2), v);
  }
  const out = args.get('out');
  if (!out) throw new Error('--out DIR is required');
  for (const k of args.keys()) if (!['out', 'train', 'val', 'calib'].includes(k)) throw new Error(`unknown option --${k}`);
  const log = (m: string): void => void process.stderr.write(`[export] ${m}\n`);
  const t0 = performance.now();
  for (const split of Object.keys(SPLITS) as SplitName[]) {
    const raw = args.get(split);
    const count = raw === undefined ? SPLITS[split].count : Number(raw);
    if (!Number.isInteger(count) || count < 1) throw new Error(`--${split} must be a positive integer (got ${raw})`);
    const ts = performance.now();
    exportSplit(join(out, split), split, count, log);
    log(`${split}: ${count} samples in ${((performance.now() - ts) / 1000).toFixed(1)} s`);
  }
  log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv.slice(2));
