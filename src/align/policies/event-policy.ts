import type { AnySample } from '../../core/sample.ts';
import type { TimestampNs } from '../../core/time.ts';
import { SyncLedger, type DropReason, type SyncStats, type Synchronizer } from '../synchronizer.ts';
import type { AlignedSet } from '../types.ts';
import { EventQueue, type EventInput } from './event-queue.ts';

/** A bound past every stamp: the source has ended (flush). */
export const END_OF_STREAM: TimestampNs = 2n ** 62n;

export interface EventPolicyOptions {
  inputs: readonly EventInput[];
  /**
   * Most samples one source may hold (queue plus candidate search), ROS `queue_size`. On
   * overflow the oldest goes (`overflow`) and memory stays bounded under any input. Default 64.
   */
  queueSize?: number;
}

/**
 * What `exact` and `approximate` share: per-source queues with bounds, deadlines turned into
 * bounds at `poll(now)`, drop accounting, the outbox of ready sets and end-of-stream.
 */
export abstract class EventPolicy implements Synchronizer {
  abstract readonly policy: string;
  readonly inputs: readonly EventInput[];
  protected readonly q: EventQueue[];
  protected readonly ledger: SyncLedger;
  protected readonly queueSize: number;
  readonly #bySource = new Map<string, EventQueue>();
  readonly #out: AlignedSet[] = [];
  /** Bounds moved in poll() since the policy last ran. */
  #dirty = false;
  /** Time of the last set emitted: sets go out in time order. */
  protected lastEmittedT: TimestampNs | undefined;

  constructor(policy: string, o: EventPolicyOptions) {
    if (o.inputs.length === 0) throw new RangeError(`${policy}: at least one input is required`);
    this.inputs = o.inputs;
    this.q = o.inputs.map((input, i) => new EventQueue(i, input));
    for (const q of this.q) {
      if (this.#bySource.has(q.sourceId)) throw new RangeError(`${policy}: source ${q.sourceId} is used twice`);
      this.#bySource.set(q.sourceId, q);
    }
    if (new Set(o.inputs.map((i) => i.modality)).size !== o.inputs.length) throw new RangeError(`${policy}: one input per modality`);
    this.queueSize = o.queueSize ?? 64;
    if (!Number.isInteger(this.queueSize) || this.queueSize < 1) throw new RangeError(`${policy}: queueSize must be an integer >= 1`);
    this.ledger = new SyncLedger(policy, o.inputs);
  }

  push(sample: AnySample): void {
    const q = this.#bySource.get(sample.sourceId);
    this.ledger.pushed(sample.sourceId);
    if (!q) {
      // Not an input of this policy: counted, never silently ignored.
      this.ledger.drop(sample.sourceId, 'unmatched');
      return;
    }
    if (!q.accepts(sample.t)) {
      this.ledger.drop(q.sourceId, 'late');
      return;
    }
    q.append(sample);
    this.process();
    if (q.held > this.queueSize) this.overflow(q);
    this.ledger.queued(q.sourceId, q.held); // the only place a queue grows: its high-water mark
    this.#dirty = false;
  }

  advanceBound(sourceId: string, t: TimestampNs): void {
    const q = this.#bySource.get(sourceId);
    if (!q) return;
    q.raiseBound(t);
    this.process();
  }

  poll(now: TimestampNs): AlignedSet[] {
    for (const q of this.q) {
      if (q.maxLatencyNs === undefined) continue;
      const before = q.bound;
      q.raiseBound(now - q.maxLatencyNs);
      if (q.bound !== before) this.#dirty = true;
    }
    // Nothing new since the last run (push and advanceBound run the policy themselves): skip it.
    if (this.#dirty) {
      this.#dirty = false;
      this.process();
    }
    return this.#out.length === 0 ? [] : this.#out.splice(0);
  }

  flush(): AlignedSet[] {
    for (const q of this.q) q.raiseBound(END_OF_STREAM);
    this.process();
    // Anything still undecided can never be decided: count it.
    for (const q of this.q) {
      q.recover();
      while (q.popFront()) this.ledger.drop(q.sourceId, 'unmatched');
    }
    this.resetSearch();
    return this.#out.splice(0);
  }

  stats(): SyncStats {
    for (const q of this.q) this.ledger.queued(q.sourceId, q.held);
    return this.ledger.stats();
  }

  abstract nextDeadline(): TimestampNs | undefined;

  /** Runs the policy until it must wait for input or time. */
  protected abstract process(): void;

  /** Forgets any search in progress (after an overflow or at the end). */
  protected abstract resetSearch(): void;

  /** ROS `add()` overflow branch: cancel the search, drop the oldest, mark the source. */
  protected overflow(q: EventQueue): void {
    while (q.held > this.queueSize) {
      for (const each of this.q) each.recover();
      this.resetSearch();
      if (q.popFront()) this.ledger.drop(q.sourceId, 'overflow');
      q.hasDropped = true;
      this.process();
    }
  }

  protected emit(set: AlignedSet): void {
    this.lastEmittedT = set.t;
    this.#out.push(this.ledger.emitted(set));
  }

  protected dropFront(q: EventQueue, reason: DropReason): void {
    if (q.popFront()) this.ledger.drop(q.sourceId, reason);
  }

  /** Is this source ruled out of a set whose earliest stamp is `start` (silent past its deadline)? */
  protected silentAfter(q: EventQueue, start: TimestampNs): boolean | 'wait' {
    const e = q.earliest();
    if (e === undefined) return 'wait';
    if (q.bound !== undefined && q.bound >= END_OF_STREAM && q.empty) return true;
    if (q.deadlineNs !== undefined && e > start + q.deadlineNs) return true;
    return q.empty ? 'wait' : false;
  }

  /** When the deadline of an empty source waiting at `start` will rule it out (undefined: never). */
  protected silenceDeadline(q: EventQueue, start: TimestampNs): TimestampNs | undefined {
    if (q.deadlineNs === undefined || q.maxLatencyNs === undefined) return undefined;
    return start + q.deadlineNs + q.maxLatencyNs + 1n;
  }

}
