import { AsyncQueue, type AdapterStats, type AnySample, type DeviceAdapter } from '../../src/core/index.ts';

/**
 * One replayed source. The session pushes each sample at its `receivedAt` on the virtual clock;
 * the queue is deep because lock-step replay never lets the pump fall behind (it runs in the
 * event-loop turn after each timer), so nothing is ever dropped here. Losses the recording itself
 * had show up as gaps in `seq` and are reported as `dropped`, like a live driver would.
 */
export class ReplayAdapter implements DeviceAdapter {
  readonly sourceId: string;
  readonly #queue = new AsyncQueue<AnySample>(1 << 16);
  readonly #onClose: (a: ReplayAdapter) => void;
  #lastSeq: number | undefined;
  #stats: AdapterStats = { samples: 0, dropped: 0, badBytes: 0, reconnects: 0 };

  constructor(sourceId: string, onClose: (a: ReplayAdapter) => void) {
    this.sourceId = sourceId;
    this.#onClose = onClose;
  }

  push(s: AnySample): void {
    if (this.#lastSeq !== undefined && s.seq > this.#lastSeq + 1) this.#stats.dropped += s.seq - this.#lastSeq - 1;
    this.#lastSeq = s.seq;
    this.#stats.samples++;
    this.#queue.push(s);
  }

  samples(): AsyncIterable<AnySample> {
    return this.#queue;
  }

  stats(): AdapterStats {
    return { ...this.#stats };
  }

  close(): Promise<void> {
    this.#queue.close();
    this.#onClose(this);
    return Promise.resolve();
  }
}
