// Loads one split of the training dataset (CONTRACT.md "Dataset files") for the TS tools, applying
// the same camera normalisation train.py applied, so ORT sees exactly what the encoders expect.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readF32, readLabels } from './npy.ts';
import { ENCODER_INPUT, MODALITIES, type Modality } from './spec.ts';

export interface CameraNorm { mean: number[]; std: number[] }

export interface Split {
  n: number;
  x: Record<Modality, Float32Array>;
  y: Int32Array;
}

const FILE: Record<Modality, string> = { camera: 'camera.npy', depth: 'depth.npy', lidar: 'lidar.npy', eeg: 'eeg.npy' };

export function readCameraNorm(trainMetaPath: string): CameraNorm {
  const meta = JSON.parse(readFileSync(trainMetaPath, 'utf8')) as { camera: CameraNorm };
  return meta.camera;
}

export function loadSplit(dir: string, norm: CameraNorm, only?: readonly Modality[]): Split {
  const y = readLabels(join(dir, 'label.npy'));
  const n = y.length;
  const x = {} as Record<Modality, Float32Array>;
  for (const m of only ?? MODALITIES) {
    const a = readF32(join(dir, FILE[m]));
    const want = [n, ...ENCODER_INPUT[m].shape];
    if (a.shape.join(',') !== want.join(',')) throw new Error(`${dir}/${FILE[m]}: shape ${a.shape} != ${want}`);
    x[m] = a.data;
  }
  if (x.camera !== undefined) normaliseCamera(x.camera, n, norm);
  return { n, x, y };
}

/** In place: (v - mean[c]) / std[c] with float32 mean/std, matching train.py. */
export function normaliseCamera(data: Float32Array, n: number, norm: CameraNorm): void {
  const plane = 60 * 80;
  for (let c = 0; c < 3; c++) {
    const mean = Math.fround(norm.mean[c] ?? 0);
    const std = Math.fround(norm.std[c] ?? 1);
    for (let i = 0; i < n; i++) {
      const base = (i * 3 + c) * plane;
      for (let k = 0; k < plane; k++) data[base + k] = Math.fround(Math.fround((data[base + k] ?? 0) - mean) / std);
    }
  }
}
