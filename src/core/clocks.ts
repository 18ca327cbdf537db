import type { Clock, Timer, TimestampNs } from './time.ts';

interface Pending {
  at: TimestampNs;
  order: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * A clock that only moves when told to. Timers fire in time order (ties in scheduling order), and
 * `now()` reads the timer's own time while its callback runs, so code under test sees exactly the
 * instant it asked for. `advance` yields to the event loop after every timer so that async
 * consumers (async iterators, worker replies already queued) run before the next instant.
 */
export class ManualClock implements Clock {
  #now: TimestampNs;
  #queue: Pending[] = [];
  #order = 0;

  constructor(start: TimestampNs = 1_700_000_000_000_000_000n) {
    this.#now = start;
  }

  now(): TimestampNs {
    return this.#now;
  }

  at(at: TimestampNs, fn: () => void): Timer {
    const p: Pending = { at, order: this.#order++, fn, cancelled: false };
    // Keep the queue sorted; timers are few (one per source and trigger), so insertion is cheap.
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

  /** Sets the time before anything is scheduled (e.g. a replay's start is known once the log is open). */
  jumpTo(t: TimestampNs): void {
    if (this.#queue.some((p) => !p.cancelled)) throw new RangeError('ManualClock.jumpTo: timers are already scheduled');
    this.#now = t;
  }

  /**
   * The earliest instant a live timer is due (never before now), or undefined when none: lets a
   * controller step from one instant at which something happens to the next (lock-step replay).
   */
  nextAt(): TimestampNs | undefined {
    while (this.#queue[0]?.cancelled) this.#queue.shift();
    const head = this.#queue[0];
    if (!head) return undefined;
    return head.at < this.#now ? this.#now : head.at;
  }

  /** Number of timers still pending (cancelled ones excluded). */
  pending(): number {
    return this.#queue.filter((p) => !p.cancelled).length;
  }

  /** Moves time to `t`, firing every due timer in order and yielding after each. */
  async advanceTo(t: TimestampNs): Promise<void> {
    if (t < this.#now) throw new RangeError(`ManualClock cannot go back: ${t} < ${this.#now}`);
    // Let work queued before this call (sample pumps, worker replies) settle first.
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

  /** Moves time forward by `dt` ns. */
  advance(dt: TimestampNs): Promise<void> {
    return this.advanceTo(this.#now + dt);
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The production clock: Unix-epoch ns anchored once from `Date.now()` and advanced by
 * `process.hrtime.bigint()`, so it is monotonic (an NTP step of the wall clock does not move it).
 */
export class SystemClock implements Clock {
  readonly #anchorEpochNs: bigint;
  readonly #anchorHr: bigint;

  constructor() {
    this.#anchorHr = process.hrtime.bigint();
    this.#anchorEpochNs = BigInt(Date.now()) * 1_000_000n;
  }

  now(): TimestampNs {
    return this.#anchorEpochNs + (process.hrtime.bigint() - this.#anchorHr);
  }

  at(at: TimestampNs, fn: () => void): Timer {
    let handle: NodeJS.Timeout | undefined;
    let cancelled = false;
    const arm = (): void => {
      const waitNs = at - this.now();
      if (waitNs <= 0n) {
        // setImmediate keeps callbacks async even when already due (no Zalgo).
        handle = setTimeout(fire, 0);
        return;
      }
      handle = setTimeout(fire, Math.max(0, Math.floor(Number(waitNs) / 1e6)));
    };
    const fire = (): void => {
      if (cancelled) return;
      // setTimeout has 1 ms granularity and may fire early by a fraction: re-arm until due.
      if (this.now() < at) {
        arm();
        return;
      }
      fn();
    };
    arm();
    return {
      cancel: () => {
        cancelled = true;
        if (handle) clearTimeout(handle);
      },
    };
  }
}
