import type { AnySample, Modality } from '../core/sample.ts';
import type { TimestampNs } from '../core/time.ts';
import { ApproximateSynchronizer } from './policies/approximate.ts';
import { ExactSynchronizer } from './policies/exact.ts';
import { LatestPolicy } from './policies/latest.ts';
import { TriggeredSynchronizer, type Trigger } from './policies/triggered.ts';
import { WindowPolicy } from './policies/window.ts';
import type { Synchronizer } from './synchronizer.ts';

export type PolicyName = 'exact' | 'approximate' | 'latest' | 'window';

/** One input of a pipeline, as config describes it. */
export interface InputSpec {
  modality: Modality;
  sourceId: string;
  policy: PolicyName;
  /** latest/window: a member older than this at the trigger is `missing`. */
  maxAgeNs?: bigint;
  /** window: length L and the fixed number of samples per channel. */
  lengthNs?: bigint;
  samples?: number;
  /** exact/approximate: silence tolerance (see EventInput). */
  deadlineNs?: bigint;
  /** All: transport budget (see SyncInput). */
  maxLatencyNs?: bigint;
  /** approximate: least spacing of this source's stamps. */
  minPeriodNs?: bigint;
}

export interface PipelineSpec {
  inputs: readonly InputSpec[];
  /** latest/window only: when sets are built. */
  trigger?: Trigger;
  /** approximate only. */
  maxIntervalNs?: bigint;
  agePenalty?: number;
  /** exact/approximate: per-source queue bound (default 64). */
  queueSize?: number;
  /** latest/window: samples kept per source buffer. */
  bufferCapacity?: (sourceId: string) => number;
  /** latest/window: each sample leaving a buffer, and whether a set used it (to recycle buffers). */
  onEvict?: (sample: AnySample, used: boolean) => void;
  startNs?: TimestampNs;
}

/** Builds the synchronizer for a pipeline: event-driven when its inputs say exact/approximate, else trigger-driven. */
export function createSynchronizer(spec: PipelineSpec): Synchronizer {
  const kinds = new Set(spec.inputs.map((i) => i.policy));
  const event = kinds.has('exact') || kinds.has('approximate');
  if (event) {
    if (kinds.size !== 1) throw new RangeError(`exact/approximate cannot be mixed with other policies in one pipeline (got ${[...kinds].join(', ')})`);
    const inputs = spec.inputs.map((i) => ({
      modality: i.modality,
      sourceId: i.sourceId,
      ...(i.deadlineNs !== undefined ? { deadlineNs: i.deadlineNs } : {}),
      ...(i.maxLatencyNs !== undefined ? { maxLatencyNs: i.maxLatencyNs } : {}),
      ...(i.minPeriodNs !== undefined ? { minPeriodNs: i.minPeriodNs } : {}),
    }));
    const common = { inputs, ...(spec.queueSize !== undefined ? { queueSize: spec.queueSize } : {}) };
    return kinds.has('exact')
      ? new ExactSynchronizer(common)
      : new ApproximateSynchronizer({ ...common, ...(spec.maxIntervalNs !== undefined ? { maxIntervalNs: spec.maxIntervalNs } : {}), ...(spec.agePenalty !== undefined ? { agePenalty: spec.agePenalty } : {}) });
  }
  if (!spec.trigger) throw new RangeError('latest/window pipelines need a trigger');
  return new TriggeredSynchronizer({
    inputs: spec.inputs.map((i) => ({
      modality: i.modality,
      sourceId: i.sourceId,
      ...(i.maxLatencyNs !== undefined ? { maxLatencyNs: i.maxLatencyNs } : {}),
      policy:
        i.policy === 'window'
          ? new WindowPolicy({ lengthNs: req(i.lengthNs, 'length'), samples: req(i.samples, 'samples'), maxAgeNs: req(i.maxAgeNs, 'maxAge') })
          : new LatestPolicy({ maxAgeNs: req(i.maxAgeNs, 'maxAge') }),
    })),
    trigger: spec.trigger,
    ...(spec.bufferCapacity || spec.onEvict
      ? {
          buffer: (id: string) => ({
            ...(spec.bufferCapacity ? { capacity: spec.bufferCapacity(id) } : {}),
            ...(spec.onEvict ? { onEvict: spec.onEvict } : {}),
          }),
        }
      : {}),
    ...(spec.startNs !== undefined ? { startNs: spec.startNs } : {}),
  });
}

function req<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new RangeError(`${what} is required for this policy`);
  return v;
}
