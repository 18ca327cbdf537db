import type { AnySample, Modality } from '../core/sample.ts';

/**
 * Messages between the main thread and the inference worker. Payload ArrayBuffers travel in the
 * transfer list (moved, not copied); the worker sends them back when done so sources can reuse them.
 */

export interface WorkerInit {
  modelDir: string;
  head?: string;
  precision?: 'int8' | 'float';
  intraOpThreads?: number;
  /**
   * Niceness for the worker thread (and the ORT threads it creates), set before the sessions load.
   * On Linux niceness is per thread, so this lowers inference below the main thread only.
   */
  nice?: number;
  /** Helper threads that preprocess some of a set's frames in parallel with the worker (0 = none). */
  preprocessThreads?: number;
  /** CPUs the worker (and the ORT threads it makes) may run on (Linux; see `inference.cpus`). */
  cpus?: readonly number[];
  /** CPUs for the preprocessing helpers (they would inherit the worker's otherwise). */
  helperCpus?: readonly number[];
  /** URL of the module exporting `createPreprocessor(spec)` (the model set's own preprocessing). */
  preprocessModule: string;
  /** Run every set in order instead of keeping the newest (deterministic replay). */
  lossless?: boolean;
}

/** One modality's input to a fusion: the sample itself, a reference to the last one sent, or nothing. */
export type WireInput =
  | { modality: Modality; state: 'missing' }
  | { modality: Modality; state: 'cached'; key: string }
  | { modality: Modality; state: 'data'; key: string; sample: AnySample };

export interface RunRequest {
  type: 'run';
  id: number;
  inputs: WireInput[];
}

export interface StageTimes {
  /** Waiting in the worker behind the fusion running when the set arrived. */
  queue: number;
  preprocess: number;
  encode: number;
  fuse: number;
}

/** When the worker received a set and posted its reply ({@link monotonicMs}, comparable across threads). */
export interface WorkerClock {
  recv: number;
  done: number;
}

export type WorkerReply =
  | { type: 'ready'; labels: string[]; modalities: Modality[]; name: string; version: string; head: string; precision: string; files: Record<string, string> }
  | { type: 'result'; id: number; probs: Float32Array; mask: Float32Array; stageMs: StageTimes; at: WorkerClock; encoded: Modality[]; returned: ArrayBuffer[]; dropped: number[] }
  | { type: 'run-error'; id: number; error: SerializedError; returned: ArrayBuffer[]; dropped: number[] }
  | { type: 'fatal'; error: SerializedError };

export interface SerializedError {
  name: string;
  code?: string;
  message: string;
  file?: string;
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) {
    const e = err as Error & { code?: string; file?: string };
    return { name: e.name, message: e.message, ...(e.code ? { code: e.code } : {}), ...(e.file ? { file: e.file } : {}) };
  }
  return { name: 'Error', message: String(err) };
}
