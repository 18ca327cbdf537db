import { payloadBytes, type AnySample } from '../core/sample.ts';
import type { TimestampNs } from '../core/time.ts';

export interface SourceBufferOptions {
  /** Most samples kept (default 64). */
  capacity?: number;
  /** Most payload bytes kept (default 64 MiB); whichever limit is hit first evicts the oldest. */
  maxBytes?: number;
  /** Called with each evicted sample (to recycle its buffers, count it as unused, …). */
  onEvict?: (sample: AnySample, used: boolean) => void;
}

export interface SourceBufferStats {
  size: number;
  bytes: number;
  pushed: number;
  /** Samples that arrived with `t` older than the newest already buffered (kept, in order). */
  outOfOrder: number;
  /** Evicted without ever being used by a set (decimation or overflow). */
  evictedUnused: number;
}

/**
 * A time-indexed ring of one source's samples, ordered by time of validity `t`, bounded by count
 * and bytes. Out-of-order arrivals are inserted in place (and counted), so lookups by time are
 * binary searches regardless of arrival order.
 */
export class SourceBuffer {
  readonly #capacity: number;
  readonly #maxBytes: number;
  readonly #onEvict: ((s: AnySample, used: boolean) => void) | undefined;
  #items: AnySample[] = [];
  #used = new WeakSet<AnySample>();
  // Sizes at push time: a payload moved to the inference worker reads as 0 bytes afterwards.
  #sizes = new WeakMap<AnySample, number>();
  #bytes = 0;
  #pushed = 0;
  #outOfOrder = 0;
  #evictedUnused = 0;
  #bound: TimestampNs | undefined;

  constructor(options: SourceBufferOptions = {}) {
    this.#capacity = options.capacity ?? 64;
    this.#maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.#onEvict = options.onEvict;
    if (this.#capacity < 1) throw new RangeError('capacity must be >= 1');
  }

  push(sample: AnySample): void {
    this.#pushed++;
    const items = this.#items;
    const last = items[items.length - 1];
    if (!last || last.t <= sample.t) {
      items.push(sample);
    } else {
      this.#outOfOrder++;
      items.splice(this.#upperBound(sample.t), 0, sample);
    }
    const size = payloadBytes(sample);
    this.#sizes.set(sample, size);
    this.#bytes += size;
    if (this.#bound === undefined || sample.t > this.#bound) this.#bound = sample.t;
    while (items.length > this.#capacity || (this.#bytes > this.#maxBytes && items.length > 1)) this.#evictOldest();
  }

  /**
   * Declares that nothing with `t` earlier than `bound` will arrive any more (a source may advance
   * its bound without data). Never moves back.
   */
  advanceBound(bound: TimestampNs): void {
    if (this.#bound === undefined || bound > this.#bound) this.#bound = bound;
  }

  /** Everything before this time is settled for this source. */
  get bound(): TimestampNs | undefined {
    return this.#bound;
  }

  get size(): number {
    return this.#items.length;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Newest sample, if any. */
  latest(): AnySample | undefined {
    return this.#items[this.#items.length - 1];
  }

  /** The newest sample with `t <= at`. */
  latestAtOrBefore(at: TimestampNs): AnySample | undefined {
    const i = this.#upperBound(at);
    return i > 0 ? this.#items[i - 1] : undefined;
  }

  /** Samples with `from <= t <= to`, oldest first (a view copy; cheap, references only). */
  between(from: TimestampNs, to: TimestampNs): AnySample[] {
    return this.#items.slice(this.#lowerBound(from), this.#upperBound(to));
  }

  /** Samples with `t <= at`, newest last, at most `max` of them. */
  lastUpTo(at: TimestampNs, max: number): AnySample[] {
    const end = this.#upperBound(at);
    return this.#items.slice(Math.max(0, end - max), end);
  }

  /** Remembers that a set used this sample (evicting it later is then not counted as unused). */
  markUsed(sample: AnySample): void {
    this.#used.add(sample);
  }

  wasUsed(sample: AnySample): boolean {
    return this.#used.has(sample);
  }

  /** Evicts every sample with `t < before`, except the newest one (which a hold may still need). */
  evictBefore(before: TimestampNs): void {
    while (this.#items.length > 1 && (this.#items[0] as AnySample).t < before) this.#evictOldest();
  }

  stats(): SourceBufferStats {
    return { size: this.#items.length, bytes: this.#bytes, pushed: this.#pushed, outOfOrder: this.#outOfOrder, evictedUnused: this.#evictedUnused };
  }

  #evictOldest(): void {
    const s = this.#items.shift();
    if (!s) return;
    this.#bytes -= this.#sizes.get(s) ?? 0;
    const used = this.#used.has(s);
    if (!used) this.#evictedUnused++;
    this.#onEvict?.(s, used);
  }

  /** First index with items[i].t > at. */
  #upperBound(at: TimestampNs): number {
    let lo = 0;
    let hi = this.#items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.#items[mid] as AnySample).t <= at) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First index with items[i].t >= at. */
  #lowerBound(at: TimestampNs): number {
    let lo = 0;
    let hi = this.#items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.#items[mid] as AnySample).t < at) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
