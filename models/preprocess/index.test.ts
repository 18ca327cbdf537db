import { describe, expect, it } from 'vitest';
import { InferenceError, ModelError } from '../../src/core/index.ts';
import { DATASET_PREPROCESS, REFERENCE_PREPROCESS, createPreprocessor, warmUpPayload } from './index.ts';

describe('createPreprocessor', () => {
  it('builds each contract preprocessor with the contract shape', () => {
    expect(createPreprocessor(DATASET_PREPROCESS.camera).shape).toEqual([3, 60, 80]);
    expect(createPreprocessor(REFERENCE_PREPROCESS.depth).shape).toEqual([1, 60, 80]);
    expect(createPreprocessor(REFERENCE_PREPROCESS.lidar).shape).toEqual([1, 360]);
    expect(createPreprocessor(REFERENCE_PREPROCESS.eeg).shape).toEqual([8, 250]);
  });

  it('names the bad field of a spec', () => {
    expect(() => createPreprocessor({ op: 'fft' })).toThrow(ModelError);
    expect(() => createPreprocessor({ op: 'image', width: 80, height: 60, mean: [0, 0], std: [1, 1, 1] })).toThrow(/preprocess\.mean/);
    expect(() => createPreprocessor({ ...REFERENCE_PREPROCESS.eeg, bandHz: [40, 1] })).toThrow(/preprocess\.bandHz/);
    expect(() => createPreprocessor({ ...REFERENCE_PREPROCESS.eeg, notchHz: [130] })).toThrow(/preprocess\.notchHz/);
  });

  it('refuses a payload of the wrong kind instead of reading garbage', () => {
    const scan = createPreprocessor(REFERENCE_PREPROCESS.lidar);
    expect(() => scan({ width: 1, height: 1, unitM: 0.001, data: new Uint16Array(1) })).toThrow(InferenceError);
  });

  it('gives every spec a warm-up input its preprocessor takes, at the real frame size', () => {
    for (const spec of [DATASET_PREPROCESS.camera, ...Object.values(REFERENCE_PREPROCESS)]) {
      const x = createPreprocessor(spec)(structuredClone(warmUpPayload(spec)));
      expect(x.every(Number.isFinite), spec.op).toBe(true);
    }
    expect(warmUpPayload(DATASET_PREPROCESS.camera)).toMatchObject({ width: 640, height: 480, format: 'rgb24' });
    expect(warmUpPayload(REFERENCE_PREPROCESS.depth)).toMatchObject({ width: 640, height: 480 });
  });
});
