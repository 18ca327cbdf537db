import { AsyncQueue, type AdapterStats, type AnySample, type DeviceAdapter, type DeviceContext } from '../../src/core/index.ts';
import { PacedPlayer, type PacedPlayerOptions } from './paced-player.ts';

/**
 * The shared half of file-playback adapters (RealSense bag, EEG files): a bounded sample queue fed
 * by a {@link PacedPlayer}, counting delivered samples and queue drops. Subclasses read their file
 * and call {@link play}; `samples()`, `stats()` and `close()` are the same for all of them.
 */
export abstract class PlaybackAdapter implements DeviceAdapter {
  readonly sourceId: string;
  protected readonly queue: AsyncQueue<AnySample>;
  #player: PacedPlayer | undefined;
  #seq = 0;

  constructor(ctx: DeviceContext, queueCapacity: number) {
    this.sourceId = ctx.sourceId;
    this.queue = new AsyncQueue<AnySample>(queueCapacity);
  }

  /** The next per-source sequence number (one per delivered sample). */
  protected nextSeq(): number {
    return this.#seq++;
  }

  /** Starts paced delivery; the queue ends when a non-looping player reaches the end. */
  protected play(options: Omit<PacedPlayerOptions, 'onEnd'>): void {
    this.#player = new PacedPlayer({ ...options, onEnd: () => this.queue.close() });
    this.#player.start();
  }

  samples(): AsyncIterable<AnySample> {
    return this.queue;
  }

  stats(): AdapterStats {
    return { samples: this.#seq, dropped: this.queue.dropped, badBytes: 0, reconnects: 0 };
  }

  close(): Promise<void> {
    this.#player?.stop();
    this.queue.close();
    return Promise.resolve();
  }
}
