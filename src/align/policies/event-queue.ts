import type { AnySample, Modality } from '../../core/sample.ts';
import type { TimestampNs } from '../../core/time.ts';
import type { SyncInput } from '../synchronizer.ts';

/** An input of an event-driven policy (`exact`, `approximate`). */
export interface EventInput extends SyncInput {
  /**
   * Silence tolerance, in stamp time: when this source has nothing within `deadline` after the
   * earliest sample of a set being formed (no sample, and its bound is past that), it is `missing`
   * in that set instead of holding it. Must be ≥ `maxInterval` (approximate), so that a source
   * that is merely slower than the others is still matched, not declared missing.
   * With `maxLatency`, a silent source delays a set by at most `deadline + maxLatency` after the
   * set's earliest stamp. Default: never (then only bounds and `flush()` end a wait — ROS's
   * behaviour, which stalls on a dead topic: ros2/message_filters #63).
   */
  deadlineNs?: bigint;
  /**
   * Least spacing of this source's stamps (ROS `inter_message_lower_bound`): the next stamp is at
   * least this after the previous one, which lets `approximate` prove a set optimal sooner.
   * Default 0.
   */
  minPeriodNs?: bigint;
}

/**
 * One source's queue in an event-driven policy: a deque of samples not yet decided (ROS's
 * `deques_`), the `past` samples moved aside during an approximate candidate search (`past_`),
 * and the source's bound. Stamps must increase strictly per source; a sample at or below the
 * previous stamp, or below an advanced bound, is late.
 */
export class EventQueue {
  readonly index: number;
  readonly sourceId: string;
  readonly modality: Modality;
  readonly deadlineNs: bigint | undefined;
  readonly maxLatencyNs: bigint | undefined;
  readonly minPeriodNs: bigint;
  #items: AnySample[] = [];
  #head = 0;
  readonly past: AnySample[] = [];
  /** Nothing with `t < bound` will come (explicit, from data, or from the deadline). */
  bound: TimestampNs | undefined;
  /** Stamp of the last accepted sample. */
  lastT: TimestampNs | undefined;
  /** ROS `has_dropped_messages_`: an overflow happened, so this source may not be pivot yet. */
  hasDropped = false;

  constructor(index: number, input: EventInput) {
    this.index = index;
    this.sourceId = input.sourceId;
    this.modality = input.modality;
    this.deadlineNs = input.deadlineNs;
    this.maxLatencyNs = input.maxLatencyNs;
    this.minPeriodNs = input.minPeriodNs ?? 0n;
    if (this.minPeriodNs < 0n) throw new RangeError(`minPeriod of ${input.sourceId} must be >= 0`);
    if (this.deadlineNs !== undefined && this.deadlineNs < 0n) throw new RangeError(`deadline of ${input.sourceId} must be >= 0`);
    if (this.maxLatencyNs !== undefined && this.maxLatencyNs < 0n) throw new RangeError(`maxLatency of ${input.sourceId} must be >= 0`);
  }

  /** True when the sample may enter (its stamp is above the bound and the previous stamp). */
  accepts(t: TimestampNs): boolean {
    if (this.bound !== undefined && t < this.bound) return false;
    return this.lastT === undefined || t > this.lastT;
  }

  append(s: AnySample): void {
    this.#items.push(s);
    this.lastT = s.t;
    if (this.bound === undefined || s.t > this.bound) this.bound = s.t;
  }

  raiseBound(t: TimestampNs): void {
    if (this.bound === undefined || t > this.bound) this.bound = t;
  }

  get size(): number {
    return this.#items.length - this.#head;
  }

  get empty(): boolean {
    return this.#head >= this.#items.length;
  }

  /** Samples held (queue and past): what the memory bound is about. */
  get held(): number {
    return this.size + this.past.length;
  }

  front(): AnySample | undefined {
    return this.#items[this.#head];
  }

  /** Stamp of the front; the caller checks `empty` first. */
  frontT(): TimestampNs {
    return (this.#items[this.#head] as AnySample).t;
  }

  popFront(): AnySample | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const s = this.#items[this.#head] as AnySample;
    this.#items[this.#head] = undefined as unknown as AnySample;
    this.#head++;
    if (this.#head > 64 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return s;
  }

  pushFront(s: AnySample): void {
    if (this.#head > 0) this.#items[--this.#head] = s;
    else this.#items.unshift(s);
  }

  /** ROS `dequeMoveFrontToPast`. */
  moveFrontToPast(): void {
    const s = this.popFront();
    if (s) this.past.push(s);
  }

  /** ROS `recover(n)`: puts the last `n` past samples back at the front. */
  recover(n = this.past.length): void {
    for (let k = 0; k < n; k++) {
      const s = this.past.pop();
      if (!s) break;
      this.pushFront(s);
    }
  }

  /**
   * The earliest stamp this source can still contribute: its front, or — when empty — the first
   * stamp its bound and minimum period allow (undefined: unknown, it may still send anything).
   */
  earliest(): TimestampNs | undefined {
    if (!this.empty) return this.frontT();
    return this.nextPossible();
  }

  /** Earliest stamp of a sample not yet received. */
  nextPossible(): TimestampNs | undefined {
    const fromLast = this.lastT === undefined ? undefined : this.lastT + (this.minPeriodNs > 0n ? this.minPeriodNs : 1n);
    if (fromLast === undefined) return this.bound;
    if (this.bound === undefined) return fromLast;
    return fromLast > this.bound ? fromLast : this.bound;
  }
}
