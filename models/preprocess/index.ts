import type { AnySample } from '../../src/core/index.ts';
import { createDepthPreprocessor } from './depth.ts';
import { createEegPreprocessor } from './eeg.ts';
import { createImagePreprocessor } from './image.ts';
import { inputError, type Preprocessor } from './preprocessor.ts';
import { createScanPreprocessor } from './scan.ts';
import { parsePreprocessSpec } from './spec.ts';

/**
 * The model set's preprocessing, loaded by inference workers through `Registry.preprocessModule`:
 * `createPreprocessor(manifest.encoders[m].preprocess)` validates the spec (ModelError naming the
 * field) and returns a function from a sample payload to the encoder's input tensor (no batch
 * dimension; `.shape` tells which). Pure TypeScript, the same code the dataset export runs.
 */
export function createPreprocessor(spec: unknown): Preprocessor<AnySample['payload']> {
  const s = parsePreprocessSpec(spec);
  const typed = ((): Preprocessor<never> => {
    switch (s.op) {
      case 'image':
        return createImagePreprocessor(s);
      case 'depth':
        return createDepthPreprocessor(s);
      case 'scan':
        return createScanPreprocessor(s);
      case 'eeg':
        return createEegPreprocessor(s);
    }
  })();
  // Runtime payloads arrive untyped from the aligner: check the kind before trusting the shape.
  const accepts = (p: AnySample['payload']): boolean => {
    switch (s.op) {
      case 'image':
        return 'format' in p;
      case 'depth':
        return 'unitM' in p;
      case 'scan':
        return 'ranges' in p;
      case 'eeg':
        return 'rateHz' in p && 'channels' in p;
    }
  };
  const fn = (payload: AnySample['payload'], out?: Float32Array): Float32Array => {
    if (typeof payload !== 'object' || payload === null || !accepts(payload)) {
      throw inputError(s, `payload is not ${s.op === 'image' ? 'an' : 'a'} ${s.op} payload`);
    }
    return (typed as unknown as (p: AnySample['payload'], o?: Float32Array) => Float32Array)(payload, out);
  };
  return Object.assign(fn, { shape: typed.shape, spec: s });
}

/**
 * A plausible input for a preprocess spec (a mid-grey 8×-sized frame, a 1.5 m depth plane, a scan
 * at 3 m, a quiet EEG window). Inference workers run each model once on it before reporting ready,
 * so the first real result does not pay for JIT compilation and ORT's first-run allocations.
 */
export function warmUpPayload(spec: unknown): AnySample['payload'] {
  const s = parsePreprocessSpec(spec);
  switch (s.op) {
    case 'image':
      return { width: s.width * 8, height: s.height * 8, format: 'rgb24', data: new Uint8Array(s.width * s.height * 192).fill(128) };
    case 'depth':
      return { width: s.width * 8, height: s.height * 8, unitM: 0.001, data: new Uint16Array(s.width * s.height * 64).fill(1500) };
    case 'scan':
      return { angleMin: 0, angleIncrement: (2 * Math.PI) / s.bins, rangeMin: 0.1, rangeMax: s.maxRangeM, ranges: new Float32Array(s.bins).fill(3) };
    case 'eeg':
      return { rateHz: s.rateHz, channels: s.channels, data: new Float32Array(s.channels * s.length), firstSampleIndex: 0 };
  }
}

export { createImagePreprocessor } from './image.ts';
export { createDepthPreprocessor } from './depth.ts';
export { createScanPreprocessor } from './scan.ts';
export { createEegPreprocessor, eegSections, NOTCH_Q } from './eeg.ts';
export { parsePreprocessSpec, outputShape, type PreprocessSpec, type ImageSpec, type DepthSpec, type ScanSpec, type EegSpec } from './spec.ts';
export type { Preprocessor } from './preprocessor.ts';
export { REFERENCE_PREPROCESS, DATASET_PREPROCESS } from './reference.ts';
