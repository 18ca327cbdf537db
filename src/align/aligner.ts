import type { Modality } from '../core/sample.ts';
import type { TimestampNs } from '../core/time.ts';
import type { SourceBuffer } from './source-buffer.ts';
import type { AlignedSet, InputPolicy, Member, MemberState } from './types.ts';

export interface AlignerInput {
  modality: Modality;
  sourceId: string;
  policy: InputPolicy;
}

export interface AlignerCounters {
  sets: number;
  /** Per modality: how often it was fresh / held / missing. */
  states: Record<string, Record<MemberState, number>>;
  /** Per modality: window gaps seen. */
  gaps: Record<string, number>;
}

/**
 * Builds an {@link AlignedSet} at each trigger time from per-source buffers, one policy per input.
 * It never waits: an input with nothing usable is `missing` in the mask (and counted), so a silent
 * sensor cannot stall the pipeline. It also evicts samples no policy can need any more.
 */
export class Aligner {
  readonly inputs: readonly AlignerInput[];
  readonly #buffers: ReadonlyMap<string, SourceBuffer>;
  readonly #counters: AlignerCounters = { sets: 0, states: {}, gaps: {} };

  constructor(inputs: readonly AlignerInput[], buffers: ReadonlyMap<string, SourceBuffer>) {
    for (const input of inputs) {
      if (!buffers.has(input.sourceId)) throw new RangeError(`no buffer for source ${input.sourceId}`);
    }
    this.inputs = inputs;
    this.#buffers = buffers;
    for (const i of inputs) {
      this.#counters.states[i.modality] = { fresh: 0, held: 0, missing: 0 };
      this.#counters.gaps[i.modality] = 0;
    }
  }

  align(t: TimestampNs): AlignedSet {
    const members: AlignedSet['members'] = {};
    const mask: AlignedSet['mask'] = {};
    let newest: bigint | undefined;
    let oldest: bigint | undefined;
    const horizons = new Map<string, TimestampNs>();
    for (const input of this.inputs) {
      const buffer = this.#buffers.get(input.sourceId) as SourceBuffer;
      const m: Member = input.policy.select(buffer, t);
      members[input.modality] = { ...m, sourceId: input.sourceId };
      mask[input.modality] = m.state;
      const c = this.#counters.states[input.modality] as Record<MemberState, number>;
      c[m.state]++;
      if (m.gaps) this.#counters.gaps[input.modality] = (this.#counters.gaps[input.modality] ?? 0) + m.gaps;
      if (m.sample) {
        if (m.sample.kind !== 'eeg') buffer.markUsed(m.sample);
        const tv = m.sample.tEnd ?? m.sample.t;
        if (newest === undefined || tv > newest) newest = tv;
        if (oldest === undefined || tv < oldest) oldest = tv;
      }
      const h = input.policy.horizon(t);
      const prev = horizons.get(input.sourceId);
      horizons.set(input.sourceId, prev === undefined || h < prev ? h : prev);
    }
    // Evict after all inputs chose, at the earliest horizon of the inputs sharing a buffer.
    for (const [sourceId, h] of horizons) this.#buffers.get(sourceId)?.evictBefore(h);
    this.#counters.sets++;
    return { t, members, mask, skewNs: newest !== undefined && oldest !== undefined ? newest - oldest : 0n };
  }

  counters(): AlignerCounters {
    return structuredClone(this.#counters);
  }
}
