import { every, type Clock, type Timer, type TimestampNs } from '../../src/core/time.ts';

/**
 * Declares a stream silent when nothing was `kick`ed for `timeoutMs` (checked every timeoutMs/4 on
 * `clock`). UDP has no connection to lose: silence is the only sign a sensor is gone.
 */
export class SilenceWatchdog {
  readonly #clock: Clock;
  readonly #timeoutNs: bigint;
  readonly #onSilent: (silentForMs: number) => void;
  #last: TimestampNs;
  #timer: Timer | undefined;

  constructor(clock: Clock, timeoutMs: number, onSilent: (silentForMs: number) => void) {
    this.#clock = clock;
    this.#timeoutNs = BigInt(Math.round(timeoutMs * 1e6));
    this.#onSilent = onSilent;
    this.#last = clock.now();
  }

  start(): void {
    this.stop();
    this.#last = this.#clock.now();
    const period = this.#timeoutNs / 4n > 0n ? this.#timeoutNs / 4n : 1n;
    this.#timer = every(this.#clock, this.#clock.now() + period, period, (t) => {
      if (t - this.#last >= this.#timeoutNs) {
        this.stop();
        this.#onSilent(Number(t - this.#last) / 1e6);
      }
    });
  }

  kick(at: TimestampNs = this.#clock.now()): void {
    this.#last = at;
  }

  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }
}
