// Quantization reality check for the committed int8 encoders: a QDQ model is only int8 if ORT
// actually fuses it. Load each encoder at graphOptimizationLevel 'all', dump the optimised graph
// (optimizedModelFilePath) and decode its node op types: every float Conv must have become a
// QLinearConv and the FC a QGemm, with no float Conv/Gemm/MatMul or DequantizeLinear left.
// Needs only onnxruntime-node (no torch). The dump is hardware-specific; it is inspected, never shipped.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { readF32, readLabels } from './npy.ts';
import { listNodes, opHistogram } from './onnx-ops.ts';
import { EMBEDDING_DIM, ENCODER_INPUT, HEADS, MODALITIES, embName, type Modality } from './spec.ts';

const REF = fileURLToPath(new URL('../reference/', import.meta.url));
const manifest = JSON.parse(readFileSync(join(REF, 'manifest.json'), 'utf8')) as {
  encoders: Record<Modality, { file: string; precision: string; float: { file: string } }>;
  heads: Record<string, { file: string }>;
};
const tmp = mkdtempSync(join(tmpdir(), 'sensorium-int8-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Float compute kernels (any domain: ONNX, com.microsoft FusedConv/FusedGemm, NCHWc Conv). */
const FLOAT_COMPUTE = new Set(['Conv', 'FusedConv', 'Gemm', 'FusedGemm', 'MatMul', 'FusedMatMul']);

async function optimised(file: string): Promise<Uint8Array> {
  const out = join(tmp, `${file.replace(/\W/g, '_')}.all.onnx`);
  const session = await ort.InferenceSession.create(join(REF, file), {
    graphOptimizationLevel: 'all',
    optimizedModelFilePath: out,
    intraOpNumThreads: 1,
    logSeverityLevel: 3, // ORT warns that an 'all'-level dump is hardware-specific; that is fine here
  });
  await session.release();
  return readFileSync(out);
}

describe('committed int8 encoders run on int8 kernels in onnxruntime-node', () => {
  for (const m of MODALITIES) {
    it(`${m}: every Conv fuses to QLinearConv, the FC to QGemm, nothing float remains`, async () => {
      const entry = manifest.encoders[m];
      expect(entry.precision).toBe('int8');
      const floatConvs = listNodes(readFileSync(join(REF, entry.float.file))).filter((n) => n.opType === 'Conv').length;
      expect(floatConvs).toBeGreaterThan(0);

      const bytes = await optimised(entry.file);
      const nodes = listNodes(bytes);
      const hist = opHistogram(bytes);
      const count = (op: string): number => nodes.filter((n) => n.opType === op).length;
      expect(count('QLinearConv'), JSON.stringify(hist)).toBe(floatConvs);
      expect(count('QGemm'), JSON.stringify(hist)).toBe(1);
      if (m === 'eeg') expect(count('QLinearGlobalAveragePool'), JSON.stringify(hist)).toBe(1);
      expect(nodes.filter((n) => FLOAT_COMPUTE.has(n.opType)), JSON.stringify(hist)).toEqual([]);
      expect(count('DequantizeLinear'), JSON.stringify(hist)).toBe(0);
      expect(count('QuantizeLinear'), JSON.stringify(hist)).toBe(1); // the float input, once
    });
  }

  it('the QDQ source models carry int8 weights, not float ones', () => {
    for (const m of MODALITIES) {
      const hist = opHistogram(readFileSync(join(REF, manifest.encoders[m].file)));
      expect(hist.DequantizeLinear ?? 0).toBeGreaterThan(0);
      expect(hist.QuantizeLinear ?? 0).toBeGreaterThan(0);
    }
  });
});

describe('committed int8 encoders track their float originals on the golden fixture', () => {
  const FIX = join(REF, 'fixture');
  const expected = JSON.parse(readFileSync(join(FIX, 'expected.json'), 'utf8')) as {
    tolerance: { int8Embedding: { minCosineToFloat: number } };
  };
  const labels = readLabels(join(FIX, 'label.npy'));
  const n = labels.length;
  const run = async (file: string, feeds: Record<string, ort.Tensor>, output: string): Promise<Float32Array> => {
    const s = await ort.InferenceSession.create(join(REF, file), { graphOptimizationLevel: 'all', intraOpNumThreads: 1 });
    const out = (await s.run(feeds))[output]?.data as Float32Array;
    await s.release();
    return out;
  };
  const embQ = {} as Record<Modality, Float32Array>;

  for (const m of MODALITIES) {
    it(`${m}: cosine(int8, float) per sample >= minCosineToFloat`, async () => {
      const x = readF32(join(FIX, `${ENCODER_INPUT[m].name}.npy`));
      const feeds = { [ENCODER_INPUT[m].name]: new ort.Tensor('float32', x.data, x.shape) };
      const ef = await run(manifest.encoders[m].float.file, feeds, 'emb');
      embQ[m] = await run(manifest.encoders[m].file, feeds, 'emb');
      for (let i = 0; i < n; i++) {
        let ab = 0;
        let aa = 0;
        let bb = 0;
        for (let j = i * EMBEDDING_DIM; j < (i + 1) * EMBEDDING_DIM; j++) {
          ab += (ef[j] ?? 0) * (embQ[m][j] ?? 0);
          aa += (ef[j] ?? 0) ** 2;
          bb += (embQ[m][j] ?? 0) ** 2;
        }
        expect(ab / Math.sqrt(aa * bb)).toBeGreaterThanOrEqual(expected.tolerance.int8Embedding.minCosineToFloat);
      }
    });
  }

  for (const h of HEADS) {
    it(`head ${h} on int8 embeddings classifies every fixture sample correctly`, async () => {
      expect(Object.keys(embQ)).toHaveLength(MODALITIES.length);
      const feeds: Record<string, ort.Tensor> = { mask: new ort.Tensor('float32', new Float32Array(n * 4).fill(1), [n, 4]) };
      for (const m of MODALITIES) feeds[embName(m)] = new ort.Tensor('float32', embQ[m], [n, EMBEDDING_DIM]);
      const p = await run(manifest.heads[h]?.file ?? '', feeds, 'probs');
      for (let i = 0; i < n; i++) {
        const row = Array.from(p.subarray(i * 4, i * 4 + 4));
        expect(row.indexOf(Math.max(...row))).toBe(labels[i]);
      }
    });
  }
});
