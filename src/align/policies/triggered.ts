import type { AnySample } from '../../core/sample.ts';
import type { TimestampNs } from '../../core/time.ts';
import { Aligner } from '../aligner.ts';
import { SourceBuffer, type SourceBufferOptions } from '../source-buffer.ts';
import { SyncLedger, maxBig, type SyncInput, type SyncStats, type Synchronizer } from '../synchronizer.ts';
import type { AlignedSet, InputPolicy } from '../types.ts';

/** An input of a trigger-driven policy: `latest` or `window` (an {@link InputPolicy}). */
export interface TriggeredInput extends SyncInput {
  policy: InputPolicy;
}

export type Trigger =
  /** Fixed rate on the host timeline: instants `phase + k·every`. */
  | { everyNs: bigint; phaseNs?: bigint }
  /** Each sample of this source is an instant (its time of validity). */
  | { on: string };

export interface TriggeredOptions {
  inputs: readonly TriggeredInput[];
  trigger: Trigger;
  /** Options of the per-source buffers (default: SourceBuffer's, 64 samples). */
  buffer?: (sourceId: string) => SourceBufferOptions;
  /**
   * Instants waiting for their inputs to settle, at most (default 256); beyond it the oldest are
   * skipped and counted (`ticksDropped`), so memory stays bounded when a source has no deadline.
   */
  maxPendingTicks?: number;
  /** Fixed-rate trigger: no instant at or before this time (default: the first time seen). */
  startNs?: TimestampNs;
}

interface SourceState {
  buffer: SourceBuffer;
  bound: TimestampNs | undefined;
  maxLatencyNs: bigint | undefined;
  horizonPolicies: InputPolicy[];
}

/**
 * `latest` (zero-order hold with maxAge) and `window` (EEG: last L seconds, fixed length, gaps
 * reported) behind the {@link Synchronizer} interface: sets are built at trigger instants by the
 * {@link Aligner}. Instant `T` is built once every input is settled at `T` — its bound is past `T`
 * (from data or `advanceBound`) or its deadline passed (`now > T + maxLatency`; default
 * maxLatency 0: build as soon as `T` has passed, the runtime's never-wait behaviour). A sample too
 * old for any future instant to use is `late`; one evicted unused is `unused`.
 */
export class TriggeredSynchronizer implements Synchronizer {
  readonly policy: string;
  readonly inputs: readonly TriggeredInput[];
  readonly #aligner: Aligner;
  readonly #sources = new Map<string, SourceState>();
  readonly #ledger: SyncLedger;
  readonly #trigger: Trigger;
  readonly #maxPending: number;
  readonly #out: AlignedSet[] = [];
  #pending: TimestampNs[] = [];
  #lastTick: TimestampNs | undefined;
  #start: TimestampNs | undefined;
  #now: TimestampNs | undefined;
  #maxSeen: TimestampNs | undefined;
  #ended = false;

  constructor(o: TriggeredOptions) {
    if (o.inputs.length === 0) throw new RangeError('at least one input is required');
    this.inputs = o.inputs;
    this.#trigger = o.trigger;
    this.#maxPending = o.maxPendingTicks ?? 256;
    this.#start = o.startNs;
    if ('everyNs' in o.trigger && o.trigger.everyNs <= 0n) throw new RangeError('trigger period must be > 0');
    if ('on' in o.trigger && !o.inputs.some((i) => i.sourceId === (o.trigger as { on: string }).on)) {
      throw new RangeError(`trigger source ${o.trigger.on} is not an input`);
    }
    this.policy = [...new Set(o.inputs.map((i) => i.policy.name))].join('+');
    this.#ledger = new SyncLedger(this.policy, o.inputs);
    for (const input of o.inputs) {
      let st = this.#sources.get(input.sourceId);
      if (!st) {
        const opts = o.buffer?.(input.sourceId) ?? {};
        const id = input.sourceId;
        const buffer = new SourceBuffer({
          ...opts,
          onEvict: (s, used) => {
            if (used) this.#ledger.released(id);
            else this.#ledger.drop(id, 'unused');
            opts.onEvict?.(s, used);
          },
        });
        st = { buffer, bound: undefined, maxLatencyNs: input.maxLatencyNs ?? 0n, horizonPolicies: [] };
        this.#sources.set(input.sourceId, st);
      } else if (input.maxLatencyNs !== undefined) {
        st.maxLatencyNs = maxBig(st.maxLatencyNs, input.maxLatencyNs);
      }
      st.horizonPolicies.push(input.policy);
    }
    this.#aligner = new Aligner(
      o.inputs.map((i) => ({ modality: i.modality, sourceId: i.sourceId, policy: i.policy })),
      new Map([...this.#sources].map(([id, st]) => [id, st.buffer])),
    );
  }

  push(sample: AnySample): void {
    this.#ledger.pushed(sample.sourceId);
    const st = this.#sources.get(sample.sourceId);
    if (!st || this.#ended) {
      this.#ledger.drop(sample.sourceId, st ? 'late' : 'unmatched');
      return;
    }
    this.#start ??= sample.t;
    this.#maxSeen = maxBig(this.#maxSeen, sample.t);
    // Useless for every future instant (each policy's horizon grows with the instant).
    if (this.#lastTick !== undefined && st.horizonPolicies.every((p) => sample.t < p.horizon(this.#lastTick as bigint))) {
      this.#ledger.drop(sample.sourceId, 'late');
    } else {
      st.buffer.push(sample);
      if (st.bound === undefined || sample.t >= st.bound) st.bound = sample.t + 1n;
      if ('on' in this.#trigger && this.#trigger.on === sample.sourceId) this.#addTick(sample.t);
    }
    this.#process();
  }

  advanceBound(sourceId: string, t: TimestampNs): void {
    const st = this.#sources.get(sourceId);
    if (!st) return;
    st.bound = maxBig(st.bound, t);
    this.#process();
  }

  poll(now: TimestampNs): AlignedSet[] {
    if (this.#now === undefined || now > this.#now) this.#now = now;
    this.#start ??= now;
    this.#process();
    return this.#out.splice(0);
  }

  flush(): AlignedSet[] {
    this.#ended = true;
    this.#process();
    return this.#out.splice(0);
  }

  nextDeadline(): TimestampNs | undefined {
    const t = this.#nextTick(true);
    if (t === undefined) return undefined;
    let at = 'everyNs' in this.#trigger ? t : undefined;
    for (const st of this.#sources.values()) {
      if (st.bound !== undefined && st.bound > t) continue;
      if (st.maxLatencyNs === undefined) return undefined; // only data can settle it
      const due = t + st.maxLatencyNs + 1n;
      if (at === undefined || due > at) at = due;
    }
    return at;
  }

  stats(): SyncStats {
    for (const [id, st] of this.#sources) this.#ledger.queued(id, st.buffer.size);
    return this.#ledger.stats();
  }

  #addTick(t: TimestampNs): void {
    const last = this.#pending[this.#pending.length - 1] ?? this.#lastTick;
    if (last !== undefined && t <= last) {
      this.#ledger.ticksDropped(); // out-of-order trigger sample: output times stay non-decreasing
      return;
    }
    this.#pending.push(t);
    if (this.#pending.length > this.#maxPending) {
      this.#pending.shift();
      this.#ledger.ticksDropped();
    }
  }

  /** The next instant to build: pending (on-trigger) or the next grid point (fixed rate). */
  #nextTick(ignoreNow = false): TimestampNs | undefined {
    if ('on' in this.#trigger) return this.#pending[0];
    const { everyNs, phaseNs = 0n } = this.#trigger;
    const after = this.#lastTick ?? this.#start;
    if (after === undefined) return undefined;
    const k = floorDiv(after - phaseNs, everyNs) + 1n;
    let t = phaseNs + k * everyNs;
    // Catch-up after a long pause: keep at most maxPending instants, count the skipped ones.
    const limit = this.#limit();
    if (!ignoreNow && limit !== undefined && limit - t > BigInt(this.#maxPending) * everyNs) {
      const skip = (limit - t) / everyNs - BigInt(this.#maxPending);
      this.#ledger.ticksDropped(Number(skip));
      t += skip * everyNs;
      this.#lastTick = t - everyNs;
    }
    return t;
  }

  /** Latest instant that exists yet for a fixed-rate trigger: time has reached it, or all data has. */
  #limit(): TimestampNs | undefined {
    let minBound: TimestampNs | undefined;
    for (const st of this.#sources.values()) {
      if (st.bound === undefined) return this.#ended ? maxBig(this.#now, this.#maxSeen) : this.#now;
      if (minBound === undefined || st.bound < minBound) minBound = st.bound;
    }
    const byData = minBound === undefined ? undefined : minBound - 1n;
    const byTime = this.#ended ? maxBig(this.#now, this.#maxSeen) : this.#now;
    return maxBig(byData, byTime);
  }

  #settled(t: TimestampNs): boolean {
    if (this.#ended) return true;
    for (const st of this.#sources.values()) {
      if (st.bound !== undefined && st.bound > t) continue;
      if (st.maxLatencyNs !== undefined && this.#now !== undefined && this.#now - st.maxLatencyNs > t) continue;
      return false;
    }
    return true;
  }

  #process(): void {
    for (;;) {
      const t = this.#nextTick();
      if (t === undefined) break;
      if ('everyNs' in this.#trigger) {
        const limit = this.#limit();
        if (limit === undefined || t > limit) break;
      }
      if (!this.#settled(t)) break;
      if ('on' in this.#trigger) this.#pending.shift();
      this.#lastTick = t;
      this.#out.push(this.#ledger.emitted(this.#aligner.align(t)));
    }
    for (const [id, st] of this.#sources) this.#ledger.queued(id, st.buffer.size);
  }
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}
