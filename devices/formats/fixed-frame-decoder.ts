import type { FrameDecoder } from '../../src/core/device.ts';
import type { TimestampNs } from '../../src/core/time.ts';
import { ByteAccumulator } from './byte-accumulator.ts';

export interface FixedFrame {
  data: Uint8Array;
  /** Arrival of the read that completed the frame. */
  receivedAt: TimestampNs;
}

/**
 * Frames a headerless stream by byte count: ffmpeg `-f rawvideo` writes exactly W·H·bpp bytes per
 * frame (sensor-protocols §5.1: "frame the stream by byte count, not by data events"), and raw Z16
 * files are the same. There is nothing to resynchronise on, so nothing is ever "bad" mid-stream;
 * a trailing partial frame at `flush()` is counted in `badBytes`.
 */
export class FixedFrameDecoder implements FrameDecoder<FixedFrame> {
  readonly frameBytes: number;
  readonly #buf: ByteAccumulator;
  readonly #out: FixedFrame[] = [];
  #stats = { badBytes: 0, frames: 0 };

  constructor(frameBytes: number) {
    if (!Number.isInteger(frameBytes) || frameBytes < 1) throw new RangeError(`frameBytes must be a positive integer (got ${frameBytes})`);
    this.frameBytes = frameBytes;
    this.#buf = new ByteAccumulator(Math.min(frameBytes * 2, 1 << 16));
  }

  push(bytes: Uint8Array, receivedAt: TimestampNs): void {
    this.#buf.append(bytes);
    while (this.#buf.length >= this.frameBytes) {
      this.#out.push({ data: this.#buf.take(this.frameBytes), receivedAt });
      this.#stats.frames++;
    }
  }

  next(): FixedFrame | undefined {
    return this.#out.shift();
  }

  /** End of stream (process exit, file end): a partial frame is dropped and counted. */
  flush(): void {
    this.#stats.badBytes += this.#buf.length;
    this.#buf.clear();
  }

  stats(): { badBytes: number; frames: number } {
    return { ...this.#stats };
  }
}
