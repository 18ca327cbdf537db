import type { EegChunk } from '../../src/core/sample.ts';
import type { TimestampNs } from '../../src/core/time.ts';

export interface EegChunkOut {
  payload: EegChunk;
  /** Time of validity of the first and last sample. */
  t: TimestampNs;
  tEnd: TimestampNs;
  /** Arrival of the last sample's bytes. */
  receivedAt: TimestampNs;
}

/**
 * Gathers per-sample rows into channel-major {@link EegChunk}s of `samplesPerChunk`. A jump in the
 * sample number closes the chunk early, so a chunk's samples are always contiguous and
 * `firstSampleIndex` shows every gap (the window policy counts those).
 */
export class EegChunker {
  readonly #channels: number;
  readonly #per: number;
  readonly #rateHz: number;
  readonly #names: readonly string[] | undefined;
  #buf: Float32Array;
  #n = 0;
  #first = 0;
  #t: TimestampNs = 0n;
  #tEnd: TimestampNs = 0n;
  #at: TimestampNs = 0n;

  constructor(o: { channels: number; samplesPerChunk: number; rateHz: number; channelNames?: readonly string[] }) {
    this.#channels = o.channels;
    this.#per = o.samplesPerChunk;
    this.#rateHz = o.rateHz;
    this.#names = o.channelNames;
    this.#buf = new Float32Array(o.channels * o.samplesPerChunk);
  }

  /** Adds one sample (µV per channel); returns finished chunks (0, 1, or 2 when a gap closes one). */
  push(sampleNumber: number, values: ArrayLike<number>, t: TimestampNs, receivedAt: TimestampNs): EegChunkOut[] {
    const out: EegChunkOut[] = [];
    if (this.#n > 0 && sampleNumber !== this.#first + this.#n) {
      const c = this.flush();
      if (c) out.push(c);
    }
    if (this.#n === 0) {
      this.#first = sampleNumber;
      this.#t = t;
    }
    for (let c = 0; c < this.#channels; c++) this.#buf[c * this.#per + this.#n] = values[c] ?? 0;
    this.#n++;
    this.#tEnd = t;
    this.#at = receivedAt;
    if (this.#n === this.#per) {
      const c = this.flush();
      if (c) out.push(c);
    }
    return out;
  }

  /** The partial chunk, if any (end of stream, or a gap). */
  flush(): EegChunkOut | undefined {
    const n = this.#n;
    if (n === 0) return undefined;
    this.#n = 0;
    let data: Float32Array;
    if (n === this.#per) {
      data = this.#buf;
      this.#buf = new Float32Array(this.#channels * this.#per);
    } else {
      data = new Float32Array(this.#channels * n);
      for (let c = 0; c < this.#channels; c++) data.set(this.#buf.subarray(c * this.#per, c * this.#per + n), c * n);
    }
    return {
      payload: { rateHz: this.#rateHz, channels: this.#channels, ...(this.#names ? { channelNames: this.#names } : {}), data, firstSampleIndex: this.#first },
      t: this.#t,
      tEnd: this.#tEnd,
      receivedAt: this.#at,
    };
  }
}
