import type { AnySample, Modality } from '../core/sample.ts';
import type { TimestampNs } from '../core/time.ts';
import type { SourceBuffer } from './source-buffer.ts';
import type { DropCounts } from './synchronizer.ts';

/**
 * `fresh`: a sample not used by an earlier set, within its maxAge. `held`: the same sample as the
 * previous set (zero-order hold of a slower source), still within maxAge. `missing`: nothing usable —
 * the model is told so through the mask instead of the pipeline waiting.
 */
export type MemberState = 'fresh' | 'held' | 'missing';

export interface Member {
  state: MemberState;
  sample?: AnySample;
  /** Trigger time minus the sample's time of validity (its newest point, for windows). */
  ageNs?: bigint;
  /** Why it is missing (`stale`, `no-data`, `warming-up`, `silent`), for logs and lineage. */
  reason?: string;
  /** Window policy: sample-index gaps inside the window, and samples missing in them. */
  gaps?: number;
  gapSamples?: number;
}

/** A per-input selection rule evaluated at a trigger time. */
export interface InputPolicy {
  readonly name: string;
  select(buffer: SourceBuffer, t: TimestampNs): Member;
  /** Oldest time this policy may still need at trigger time `t` (older samples may be evicted). */
  horizon(t: TimestampNs): TimestampNs;
  /** Worst-case extra latency this policy adds at the trigger (for `plan`): how stale a member may be. */
  readonly maxAgeNs: bigint;
}

export interface AlignedSet {
  t: TimestampNs;
  members: Partial<Record<Modality, Member & { sourceId: string }>>;
  mask: Partial<Record<Modality, MemberState>>;
  /** Spread of the members' times of validity (newest minus oldest), ns. */
  skewNs: bigint;
  /**
   * Samples dropped by the synchronizer since the previous set, per source and reason (only
   * non-zero entries; absent when nothing was dropped). Lineage reports these.
   */
  drops?: Record<string, DropCounts>;
}
