import type { AnySample, Modality } from '../core/sample.ts';
import type { TimestampNs } from '../core/time.ts';
import type { AlignedSet, MemberState } from './types.ts';

/**
 * Why a sample never reached a set. Every drop is counted under exactly one reason, per source
 * (ROS users' top complaint is silent drops: ros/ros_comm #1059, message_filters #82).
 *
 * - `late`: arrived below its source's bound — the synchronizer had already settled that time
 *   (event-driven), or it is too old for any future trigger to use (trigger-driven).
 * - `overflow`: the source's queue was full; its oldest sample went (ROS `queue_size`).
 * - `unmatched`: no set could hold it — exact: its stamp is not present on every live source;
 *   approximate: the interval to the other heads exceeds `maxInterval`, or its pivot had drops.
 * - `superseded`: approximate only — a better set (smaller spread, after the age penalty) was
 *   found after it.
 * - `unused`: trigger-driven only — evicted from the buffer without any set using it (a source
 *   faster than the trigger is decimated on purpose).
 */
export type DropReason = 'late' | 'overflow' | 'unmatched' | 'superseded' | 'unused';
export const DROP_REASONS: readonly DropReason[] = ['late', 'overflow', 'unmatched', 'superseded', 'unused'] as const;

export type DropCounts = Record<DropReason, number>;

/** One input of a synchronizer: a source feeding one modality. */
export interface SyncInput {
  modality: Modality;
  sourceId: string;
  /**
   * Transport budget: a sample arrives at most this long after its time of validity. At `poll(now)`
   * the source's bound is raised to `now - maxLatency` (a deadline advances the bound), so silence
   * becomes a bound the policies act on. Event-driven: a sample that arrives later still is `late`;
   * default never (bounds come only from data and `advanceBound` — ROS's behaviour). Trigger-driven:
   * a trigger instant waits at most this long for the source; default 0 (build as soon as the
   * instant has passed, the runtime's never-wait behaviour).
   */
  maxLatencyNs?: bigint;
}

/** Cumulative counters of a synchronizer (for /metrics; sets carry per-set deltas for lineage). */
export interface SyncStats {
  policy: string;
  sets: number;
  /** Sets with at least one `missing` member. */
  partialSets: number;
  /** Per source: samples pushed. */
  pushed: Record<string, number>;
  /**
   * Per source: samples that left after being used in a set (event-driven: when the set is
   * emitted; trigger-driven: when evicted after use). Accounting: pushed = drops + released + queued.
   */
  released: Record<string, number>;
  /** Per source: drops by reason. */
  drops: Record<string, DropCounts>;
  /** Per modality: member states over all sets. */
  states: Record<string, Record<MemberState, number>>;
  /** Per source: samples held right now, and the most ever held (memory bound check). */
  queued: Record<string, number>;
  maxQueued: Record<string, number>;
  /** Trigger-driven: trigger instants discarded because too many were pending (output is late). */
  ticksDropped: number;
}

/**
 * The one interface of every alignment policy. Event-driven policies (`exact`, `approximate`)
 * decide from stamps and bounds; trigger-driven ones (`latest`, `window`) build a set at each
 * trigger instant. The caller's loop is the same for all:
 *
 * ```ts
 * on sample:  sync.push(s); emit(sync.poll(clock.now()))
 * on bound:   sync.advanceBound(id, t); emit(sync.poll(clock.now()))
 * timer:      clock.at(sync.nextDeadline(), () => emit(sync.poll(clock.now())))
 * ```
 */
export interface Synchronizer {
  readonly policy: string;
  readonly inputs: readonly SyncInput[];
  /** A sample of one input's source, in arrival order. Never throws; unusable samples are counted drops. */
  push(sample: AnySample): void;
  /** "Nothing with a time of validity earlier than `t` will come from this source." Never moves back. */
  advanceBound(sourceId: string, t: TimestampNs): void;
  /** Applies deadlines at host time `now` and returns the sets that became ready, oldest first. */
  poll(now: TimestampNs): AlignedSet[];
  /** The next host time at which `poll` can make progress without new input (undefined: only input can). */
  nextDeadline(): TimestampNs | undefined;
  /** End of stream: every bound goes to +∞, and whatever can still be decided is returned. */
  flush(): AlignedSet[];
  stats(): SyncStats;
}

export function zeroDrops(): DropCounts {
  return { late: 0, overflow: 0, unmatched: 0, superseded: 0, unused: 0 };
}

/**
 * Counting shared by the policies: cumulative drops per source, the delta since the last set
 * (what a Result's lineage reports), member states, queue high-water marks.
 */
export class SyncLedger {
  readonly #stats: SyncStats;
  #sinceLastSet = new Map<string, DropCounts>();

  constructor(policy: string, inputs: readonly SyncInput[]) {
    this.#stats = { policy, sets: 0, partialSets: 0, pushed: {}, released: {}, drops: {}, states: {}, queued: {}, maxQueued: {}, ticksDropped: 0 };
    for (const i of inputs) {
      this.#stats.pushed[i.sourceId] = 0;
      this.#stats.released[i.sourceId] = 0;
      this.#stats.drops[i.sourceId] = zeroDrops();
      this.#stats.queued[i.sourceId] = 0;
      this.#stats.maxQueued[i.sourceId] = 0;
      this.#stats.states[i.modality] = { fresh: 0, held: 0, missing: 0 };
    }
  }

  pushed(sourceId: string): void {
    this.#stats.pushed[sourceId] = (this.#stats.pushed[sourceId] ?? 0) + 1;
  }

  released(sourceId: string, n = 1): void {
    this.#stats.released[sourceId] = (this.#stats.released[sourceId] ?? 0) + n;
  }

  drop(sourceId: string, reason: DropReason, n = 1): void {
    if (n <= 0) return;
    const total = (this.#stats.drops[sourceId] ??= zeroDrops());
    total[reason] += n;
    let d = this.#sinceLastSet.get(sourceId);
    if (!d) {
      d = zeroDrops();
      this.#sinceLastSet.set(sourceId, d);
    }
    d[reason] += n;
  }

  queued(sourceId: string, n: number): void {
    this.#stats.queued[sourceId] = n;
    if (n > (this.#stats.maxQueued[sourceId] ?? 0)) this.#stats.maxQueued[sourceId] = n;
  }

  ticksDropped(n = 1): void {
    this.#stats.ticksDropped += n;
  }

  /** Counts a set and attaches the drops since the previous one (then resets that delta). */
  emitted(set: AlignedSet): AlignedSet {
    this.#stats.sets++;
    let partial = false;
    for (const [mod, state] of Object.entries(set.mask) as [Modality, MemberState][]) {
      const s = (this.#stats.states[mod] ??= { fresh: 0, held: 0, missing: 0 });
      s[state]++;
      if (state === 'missing') partial = true;
    }
    if (partial) this.#stats.partialSets++;
    if (this.#sinceLastSet.size > 0) {
      set.drops = Object.fromEntries(this.#sinceLastSet);
      this.#sinceLastSet = new Map();
    }
    return set;
  }

  stats(): SyncStats {
    return structuredClone(this.#stats);
  }
}

/** max of two optional bigints. */
export function maxBig(a: bigint | undefined, b: bigint | undefined): bigint | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a > b ? a : b;
}
