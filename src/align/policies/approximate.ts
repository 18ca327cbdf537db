import type { AnySample } from '../../core/sample.ts';
import type { TimestampNs } from '../../core/time.ts';
import type { AlignedSet } from '../types.ts';
import { EventPolicy, type EventPolicyOptions } from './event-policy.ts';
import type { EventQueue } from './event-queue.ts';

export interface ApproximateOptions extends EventPolicyOptions {
  /** Widest set allowed (newest minus oldest stamp); wider candidates are not sets. Default: unbounded. */
  maxIntervalNs?: bigint;
  /**
   * How much a later set must be narrower to win over an earlier one: a later candidate wins when
   * `(end − candidateEnd)·(1 + agePenalty) < start − candidateStart`. ROS 2 default 0.1.
   */
  agePenalty?: number;
}

const NO_PIVOT = -1;

/**
 * ROS 2 `message_filters` ApproximateTime (`sync_policies/approximate_time.hpp`), ported step by
 * step: per-source queues, the pivot (source of the latest head), candidates improved by moving
 * the earliest head aside while `(end − candEnd)·(1+age) < start − candStart`, publication when
 * the pivot reaches the front or optimality is proven, "virtual moves" that use the next possible
 * stamp of an empty queue to prove optimality early, `maxInterval`, and queue overflow that keeps
 * the overflowing source from being pivot until it recovers. Each sample is used at most once and
 * the sets depend only on the stamps (and bounds), not on arrival order.
 *
 * Added, because ROS stalls on a dead topic (message_filters #63): sources have bounds (the next
 * possible stamp of an empty queue is `max(last + minPeriod, bound)`, which also feeds the virtual
 * moves) and deadlines. When a search starts at the earliest head `S`, a source with nothing up
 * to `S + deadline` (empty and bound past it, or its head past it) is left out of that search and
 * shows as `missing` in the set; the rest is ROS over the sources that remain.
 */
export class ApproximateSynchronizer extends EventPolicy {
  readonly policy = 'approximate';
  readonly #maxInterval: bigint | undefined;
  readonly #ageFactor: number;
  #pivot = NO_PIVOT;
  #pivotTime = 0n;
  #candStart = 0n;
  #candEnd = 0n;
  readonly #candidate: (AnySample | undefined)[];
  readonly #included: boolean[];

  constructor(o: ApproximateOptions) {
    super('approximate', o);
    this.#maxInterval = o.maxIntervalNs;
    if (this.#maxInterval !== undefined && this.#maxInterval < 0n) throw new RangeError('maxInterval must be >= 0');
    const age = o.agePenalty ?? 0.1;
    if (!(age >= 0) || !Number.isFinite(age)) throw new RangeError('agePenalty must be a finite number >= 0');
    this.#ageFactor = 1 + age;
    for (const q of this.q) {
      if (q.deadlineNs !== undefined && this.#maxInterval !== undefined && q.deadlineNs < this.#maxInterval) {
        throw new RangeError(`deadline of ${q.sourceId} (${q.deadlineNs} ns) must be >= maxInterval (${this.#maxInterval} ns)`);
      }
    }
    this.#candidate = this.q.map(() => undefined);
    this.#included = this.q.map(() => false);
  }

  protected resetSearch(): void {
    this.#pivot = NO_PIVOT;
    this.#candidate.fill(undefined);
  }

  protected process(): void {
    const q = this.q;
    for (;;) {
      if (this.#pivot === NO_PIVOT) {
        if (!this.#chooseIncluded()) return;
      } else if (!this.#allIncludedNonEmpty()) {
        if (!this.#virtualSearch()) return;
        continue;
      }
      // Interval spanned by the heads (ROS getCandidateStart/End: first min, last max).
      let startIdx = -1;
      let endIdx = -1;
      let start = 0n;
      let end = 0n;
      for (let i = 0; i < q.length; i++) {
        if (!this.#included[i]) continue;
        const t = (q[i] as EventQueue).frontT();
        if (startIdx < 0 || t < start) {
          start = t;
          startIdx = i;
        }
        if (endIdx < 0 || t >= end) {
          end = t;
          endIdx = i;
        }
      }
      const startQ = q[startIdx] as EventQueue;
      for (let i = 0; i < q.length; i++) if (this.#included[i] && i !== endIdx) (q[i] as EventQueue).hasDropped = false;
      if (this.#pivot === NO_PIVOT) {
        if ((this.#maxInterval !== undefined && end - start > this.#maxInterval) || (q[endIdx] as EventQueue).hasDropped) {
          // Too wide to be a set, or the would-be pivot dropped samples: this head can't be matched.
          this.dropFront(startQ, 'unmatched');
          continue;
        }
        this.#makeCandidate();
        this.#candStart = start;
        this.#candEnd = end;
        this.#pivot = endIdx;
        this.#pivotTime = end;
        startQ.moveFrontToPast();
      } else if (Number(end - this.#candEnd) * this.#ageFactor >= Number(start - this.#candStart)) {
        startQ.moveFrontToPast(); // not better
      } else {
        this.#makeCandidate(); // better; keep the pivot
        this.#candStart = start;
        this.#candEnd = end;
        startQ.moveFrontToPast();
      }
      if (startIdx === this.#pivot) {
        this.#publish(); // all candidates for this pivot exhausted
      } else if (Number(end - this.#candEnd) * this.#ageFactor >= Number(this.#pivotTime - this.#candStart)) {
        this.#publish(); // provably optimal: any later set contains [pivotTime, end]
      }
    }
  }

  nextDeadline(): TimestampNs | undefined {
    const q = this.q;
    let best: TimestampNs | undefined;
    const consider = (t: TimestampNs | undefined): void => {
      if (t !== undefined && (best === undefined || t < best)) best = t;
    };
    if (this.#pivot === NO_PIVOT) {
      let s: TimestampNs | undefined;
      for (const x of q) if (!x.empty && (s === undefined || x.frontT() < s)) s = x.frontT();
      if (s === undefined) return undefined;
      for (const x of q) if (x.empty) consider(this.silenceDeadline(x, s));
      return best;
    }
    // Waiting to prove the candidate: an empty queue's bound reaching `need` proves it.
    const need = this.#candEnd + BigInt(Math.ceil(Number(this.#pivotTime - this.#candStart) / this.#ageFactor)) + 1n;
    for (let i = 0; i < q.length; i++) {
      const x = q[i] as EventQueue;
      if (this.#included[i] && x.empty && x.maxLatencyNs !== undefined) consider(need + x.maxLatencyNs);
    }
    return best;
  }

  /** Decides which sources take part in the next search; false while one of them must be waited for. */
  #chooseIncluded(): boolean {
    let start: TimestampNs | undefined;
    for (const x of this.q) if (!x.empty && (start === undefined || x.frontT() < start)) start = x.frontT();
    if (start === undefined) return false;
    for (let i = 0; i < this.q.length; i++) {
      const silent = this.silentAfter(this.q[i] as EventQueue, start);
      if (silent === 'wait') return false;
      this.#included[i] = !silent;
    }
    return true;
  }

  #allIncludedNonEmpty(): boolean {
    for (let i = 0; i < this.q.length; i++) if (this.#included[i] && (this.q[i] as EventQueue).empty) return false;
    return true;
  }

  #makeCandidate(): void {
    for (let i = 0; i < this.q.length; i++) {
      const x = this.q[i] as EventQueue;
      this.#candidate[i] = this.#included[i] ? x.front() : undefined;
      // Samples set aside before this better candidate can no longer be in any set.
      if (x.past.length > 0) {
        this.ledger.drop(x.sourceId, 'superseded', x.past.length);
        x.past.length = 0;
      }
    }
  }

  /**
   * ROS: before waiting, move heads aside virtually, treating each empty queue as if its next
   * sample came at the earliest stamp it can have (`max(next possible, pivotTime)`), to prove the
   * candidate optimal now. Returns true when it published.
   */
  #virtualSearch(): boolean {
    const q = this.q;
    const moves = q.map(() => 0);
    for (let guard = 0; guard <= this.queueSize * q.length + 1; guard++) {
      let startIdx = -1;
      let endIdx = -1;
      let start = 0n;
      let end = 0n;
      for (let i = 0; i < q.length; i++) {
        if (!this.#included[i]) continue;
        const x = q[i] as EventQueue;
        let t: TimestampNs;
        if (!x.empty) t = x.frontT();
        else {
          const next = x.nextPossible();
          t = next !== undefined && next > this.#pivotTime ? next : this.#pivotTime;
        }
        if (startIdx < 0 || t < start) {
          start = t;
          startIdx = i;
        }
        if (endIdx < 0 || t >= end) {
          end = t;
          endIdx = i;
        }
      }
      const aged = Number(end - this.#candEnd) * this.#ageFactor;
      if (aged >= Number(this.#pivotTime - this.#candStart)) {
        this.#publish(); // proven optimal; publishing restores the virtual moves too
        return true;
      }
      const startQ = q[startIdx] as EventQueue;
      if (aged < Number(start - this.#candStart) || startQ.empty || startIdx === this.#pivot) {
        for (let i = 0; i < q.length; i++) (q[i] as EventQueue).recover(moves[i] as number);
        return false; // an optimistic later candidate could still win: wait
      }
      startQ.moveFrontToPast();
      moves[startIdx] = (moves[startIdx] as number) + 1;
    }
    for (let i = 0; i < q.length; i++) (q[i] as EventQueue).recover(moves[i] as number);
    return false;
  }

  #publish(): void {
    // A set made without a silent source can end before the previous set did (that one's latest
    // member came from the source now missing): its moment has passed, so its members are late.
    if (this.lastEmittedT !== undefined && this.#candEnd < this.lastEmittedT) {
      for (let i = 0; i < this.q.length; i++) {
        const x = this.q[i] as EventQueue;
        if (!this.#included[i] || !this.#candidate[i]) continue;
        x.recover();
        this.dropFront(x, 'late');
      }
      this.resetSearch();
      return;
    }
    const members: AlignedSet['members'] = {};
    const mask: AlignedSet['mask'] = {};
    for (let i = 0; i < this.q.length; i++) {
      const x = this.q[i] as EventQueue;
      const s = this.#candidate[i];
      if (this.#included[i] && s) {
        members[x.modality] = { state: 'fresh', sample: s, ageNs: this.#candEnd - s.t, sourceId: x.sourceId };
        mask[x.modality] = 'fresh';
        // ROS recoverAndDelete: restore what was moved aside; the front is then this set's member.
        x.recover();
        x.popFront();
        this.ledger.released(x.sourceId);
      } else {
        members[x.modality] = { state: 'missing', reason: 'silent', sourceId: x.sourceId };
        mask[x.modality] = 'missing';
      }
    }
    this.emit({ t: this.#candEnd, members, mask, skewNs: this.#candEnd - this.#candStart });
    this.resetSearch();
  }
}
