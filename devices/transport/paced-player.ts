import type { Clock, Timer, TimestampNs } from '../../src/core/time.ts';

export interface PacedPlayerOptions {
  clock: Clock;
  /** Items in the recording. */
  count: number;
  /** When item i happens, ns after the recording's start (non-decreasing). */
  offsetNs(i: number): bigint;
  /** Length of one pass, ns (for looping: pass k starts k × this after the first). */
  periodNs: bigint;
  loop: boolean;
  /** Called at each item's time, with the pass number and the instant it was due. */
  onItem(i: number, pass: number, due: TimestampNs): void;
  onEnd(): void;
}

/**
 * Plays a recording at its recorded rate on a Clock (a ManualClock in tests, the log's virtual
 * clock in replay): item i of pass k is due at start + k·period + offset(i). Items whose time has
 * passed (a busy event loop) are delivered late, not skipped, and not bunched ahead of time.
 */
export class PacedPlayer {
  readonly #o: PacedPlayerOptions;
  #start: TimestampNs = 0n;
  #i = 0;
  #pass = 0;
  #timer: Timer | undefined;
  #stopped = false;

  constructor(o: PacedPlayerOptions) {
    this.#o = o;
  }

  start(): void {
    this.#start = this.#o.clock.now();
    this.#arm();
  }

  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
  }

  #arm(): void {
    if (this.#stopped) return;
    const o = this.#o;
    if (this.#i >= o.count) {
      if (!o.loop || o.count === 0) {
        o.onEnd();
        return;
      }
      this.#i = 0;
      this.#pass++;
    }
    const due = this.#start + BigInt(this.#pass) * o.periodNs + o.offsetNs(this.#i);
    this.#timer = o.clock.at(due, () => {
      if (this.#stopped) return;
      const i = this.#i++;
      o.onItem(i, this.#pass, due);
      this.#arm();
    });
  }
}
