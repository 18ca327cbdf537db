import type { Clock, Timer, TimestampNs } from '../core/time.ts';

interface Pending {
  at: TimestampNs;
  order: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * The virtual clock of lock-step replay and recording: ManualClock's semantics (timers fire in time
 * order, ties in scheduling order; `now()` is the timer's own instant while it runs; the event loop
 * gets a turn after every timer so sample pumps and worker replies run), plus {@link nextAt}, so a
 * controller can step from one instant at which something happens to the next instead of by a
 * fixed increment — and so can wait for inference after each instant.
 */
export class SteppingClock implements Clock {
  #now: TimestampNs;
  #queue: Pending[] = [];
  #order = 0;

  constructor(start: TimestampNs) {
    this.#now = start;
  }

  now(): TimestampNs {
    return this.#now;
  }

  at(at: TimestampNs, fn: () => void): Timer {
    const p: Pending = { at, order: this.#order++, fn, cancelled: false };
    let i = this.#queue.length;
    while (i > 0) {
      const prev = this.#queue[i - 1] as Pending;
      if (prev.at < at || (prev.at === at && prev.order < p.order)) break;
      i--;
    }
    this.#queue.splice(i, 0, p);
    return {
      cancel: () => {
        p.cancelled = true;
      },
    };
  }

  /** Sets the time before anything is scheduled (the start is known only once the log is open). */
  jumpTo(t: TimestampNs): void {
    if (this.#queue.some((p) => !p.cancelled)) throw new RangeError('SteppingClock.jumpTo: timers are already scheduled');
    this.#now = t;
  }

  /** The earliest instant a live timer is due (never before now), or undefined when none. */
  nextAt(): TimestampNs | undefined {
    while (this.#queue[0]?.cancelled) this.#queue.shift();
    const head = this.#queue[0];
    if (!head) return undefined;
    return head.at < this.#now ? this.#now : head.at;
  }

  /** Moves time to `t`, firing every due timer in order and yielding after each. */
  async advanceTo(t: TimestampNs): Promise<void> {
    if (t < this.#now) throw new RangeError(`SteppingClock cannot go back: ${t} < ${this.#now}`);
    await yieldToEventLoop();
    for (;;) {
      const head = this.#queue[0];
      if (head === undefined || head.at > t) break;
      this.#queue.shift();
      if (head.cancelled) continue;
      if (head.at > this.#now) this.#now = head.at;
      head.fn();
      await yieldToEventLoop();
    }
    this.#now = t;
    await yieldToEventLoop();
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
