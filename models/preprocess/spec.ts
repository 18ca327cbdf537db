import { ModelError } from '../../src/core/index.ts';

/**
 * The `preprocess` objects of a model manifest (CONTRACT.md "Model inputs"), validated. Specs come
 * from JSON, so every field is checked here once and a bad manifest fails at load, naming the field.
 */
export interface ImageSpec {
  op: 'image';
  width: number;
  height: number;
  /** Per-channel mean and std of x/255 (R, G, B). */
  mean: [number, number, number];
  std: [number, number, number];
}

export interface DepthSpec {
  op: 'depth';
  width: number;
  height: number;
  maxRangeM: number;
}

export interface ScanSpec {
  op: 'scan';
  bins: number;
  maxRangeM: number;
}

export interface EegSpec {
  op: 'eeg';
  channels: number;
  rateHz: number;
  /** Samples per channel fed to the model (the newest ones). */
  length: number;
  notchHz: number[];
  bandHz: [number, number];
  scaleUv: number;
}

export type PreprocessSpec = ImageSpec | DepthSpec | ScanSpec | EegSpec;

/** Parses a manifest `preprocess` object; throws ModelError naming the bad field. */
export function parsePreprocessSpec(raw: unknown): PreprocessSpec {
  if (typeof raw !== 'object' || raw === null) throw bad('preprocess', raw, 'an object');
  const o = raw as Record<string, unknown>;
  switch (o['op']) {
    case 'image':
      return { op: 'image', width: int(o, 'width'), height: int(o, 'height'), mean: triple(o, 'mean', false), std: triple(o, 'std', true) };
    case 'depth':
      return { op: 'depth', width: int(o, 'width'), height: int(o, 'height'), maxRangeM: positive(o, 'maxRangeM') };
    case 'scan':
      return { op: 'scan', bins: int(o, 'bins'), maxRangeM: positive(o, 'maxRangeM') };
    case 'eeg': {
      const rateHz = positive(o, 'rateHz');
      const notch = o['notchHz'] ?? [];
      if (!Array.isArray(notch) || notch.some((f) => typeof f !== 'number' || !(f > 0 && f < rateHz / 2))) {
        throw bad('preprocess.notchHz', notch, `a list of frequencies in (0, ${rateHz / 2}) Hz`);
      }
      const band = o['bandHz'];
      const [lo, hi] = Array.isArray(band) && band.length === 2 ? (band as unknown[]) : [];
      if (typeof lo !== 'number' || typeof hi !== 'number' || !(lo > 0 && lo < hi && hi < rateHz / 2)) {
        throw bad('preprocess.bandHz', band, `[low, high] with 0 < low < high < ${rateHz / 2}`);
      }
      return {
        op: 'eeg',
        channels: int(o, 'channels'),
        rateHz,
        length: int(o, 'length'),
        notchHz: notch as number[],
        bandHz: [lo, hi],
        scaleUv: positive(o, 'scaleUv'),
      };
    }
    default:
      throw bad('preprocess.op', o['op'], 'one of image, depth, scan, eeg');
  }
}

/** Per-sample output shape (no batch dimension). */
export function outputShape(spec: PreprocessSpec): number[] {
  switch (spec.op) {
    case 'image':
      return [3, spec.height, spec.width];
    case 'depth':
      return [1, spec.height, spec.width];
    case 'scan':
      return [1, spec.bins];
    case 'eeg':
      return [spec.channels, spec.length];
  }
}

function int(o: Record<string, unknown>, k: string): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw bad(`preprocess.${k}`, v, 'a positive integer');
  return v;
}

function positive(o: Record<string, unknown>, k: string): number {
  const v = o[k];
  if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw bad(`preprocess.${k}`, v, 'a positive number');
  return v;
}

function triple(o: Record<string, unknown>, k: string, nonZero: boolean): [number, number, number] {
  const v = o[k];
  if (!Array.isArray(v) || v.length !== 3 || v.some((x) => typeof x !== 'number' || !Number.isFinite(x) || (nonZero && x === 0))) {
    throw bad(`preprocess.${k}`, v, `three finite numbers${nonZero ? ', none zero' : ''}`);
  }
  return [v[0] as number, v[1] as number, v[2] as number];
}

function bad(field: string, value: unknown, want: string): ModelError {
  return new ModelError(`${field}: expected ${want} (got ${JSON.stringify(value)})`, { code: 'E_MODEL_PREPROCESS' });
}
