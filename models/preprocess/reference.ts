import type { DepthSpec, EegSpec, ImageSpec, ScanSpec } from './spec.ts';

/**
 * The preprocessing of the reference model set, as fixed by CONTRACT.md ("Model inputs" and the
 * manifest sketch). The camera's mean/std are not fixed there: train.py measures them on the
 * training split and writes them into the manifest.
 */
export const REFERENCE_PREPROCESS = {
  depth: { op: 'depth', width: 80, height: 60, maxRangeM: 4.0 } satisfies DepthSpec,
  lidar: { op: 'scan', bins: 360, maxRangeM: 12.0 } satisfies ScanSpec,
  eeg: { op: 'eeg', channels: 8, rateHz: 250, length: 250, notchHz: [50, 60], bandHz: [1, 40], scaleUv: 50 } satisfies EegSpec,
} as const;

/**
 * What the dataset export writes: the reference specs, with the camera left at x/255
 * (mean 0, std 1) because train.py normalises the camera itself with statistics it measures on
 * the training split, and then records them in the manifest for the runtime.
 */
export const DATASET_PREPROCESS = {
  camera: { op: 'image', width: 80, height: 60, mean: [0, 0, 0], std: [1, 1, 1] } satisfies ImageSpec,
  ...REFERENCE_PREPROCESS,
} as const;
