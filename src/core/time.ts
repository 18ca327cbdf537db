/**
 * Time vocabulary. All timestamps are `bigint` nanoseconds on the **host timeline**: Unix-epoch ns
 * derived from a monotonic clock anchored once at start, so it never jumps back (mcap and
 * copper-rs do the same). Core code never reads the wall clock; it receives a {@link Clock}.
 */

/** Nanoseconds on the host timeline (Unix epoch, monotonic after the anchor). */
export type TimestampNs = bigint;

export const NS_PER_US = 1_000n;
export const NS_PER_MS = 1_000_000n;
export const NS_PER_S = 1_000_000_000n;

/** Milliseconds (may be fractional) → ns. */
export function msToNs(ms: number): bigint {
  return BigInt(Math.round(ms * 1e6));
}

/** Seconds (may be fractional) → ns. */
export function sToNs(s: number): bigint {
  return BigInt(Math.round(s * 1e9));
}

/** ns → milliseconds as a float (exact enough for latencies and ages). */
export function nsToMs(ns: bigint): number {
  return Number(ns) / 1e6;
}

/** ns → seconds as a float. */
export function nsToS(ns: bigint): number {
  return Number(ns) / 1e9;
}

/**
 * Milliseconds on the process-wide monotonic clock (CLOCK_MONOTONIC via process.hrtime): unlike
 * performance.now(), whose origin is each thread's start, comparable across worker threads.
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** ISO-8601 UTC with millisecond precision, for payloads (`ts`). */
export function nsToIso(ns: bigint): string {
  return new Date(Number(ns / NS_PER_MS)).toISOString();
}

const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s|m|h|d)\s*$/;
const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9, d: 86_400e9 };

/**
 * Parses `"100ms"`, `"1.5s"`, `"2m"`, `"250us"`, `"7d"` into ns. Returns `undefined` when the text is not a
 * duration, so callers (the config layer) can name the field in their own error.
 */
export function parseDuration(text: string): bigint | undefined {
  const m = DURATION.exec(text);
  if (!m) return undefined;
  const unit = UNIT_NS[m[2] as string];
  if (unit === undefined) return undefined;
  return BigInt(Math.round(Number(m[1]) * unit));
}

/** Formats ns as the shortest readable duration (`"100ms"`, `"1.5s"`). */
export function formatDuration(ns: bigint): string {
  const abs = ns < 0n ? -ns : ns;
  if (abs >= NS_PER_S) return `${Number(ns) / 1e9}s`;
  if (abs >= NS_PER_MS) return `${Number(ns) / 1e6}ms`;
  if (abs >= NS_PER_US) return `${Number(ns) / 1e3}us`;
  return `${ns}ns`;
}

/** A scheduled callback; `cancel()` is idempotent. */
export interface Timer {
  cancel(): void;
}

/**
 * The one source of time for core code. `SystemClock` in production, `ManualClock` in tests and
 * replay (a virtual clock driven by the log).
 */
export interface Clock {
  /** Current time on the host timeline. */
  now(): TimestampNs;
  /** Calls `fn` once, as soon as `now() >= at`. */
  at(at: TimestampNs, fn: () => void): Timer;
}

/** Resolves once `clock.now() >= t`. */
export function sleepUntil(clock: Clock, t: TimestampNs): Promise<void> {
  return new Promise((resolve) => {
    clock.at(t, resolve);
  });
}

/**
 * Calls `fn(t)` at `start`, `start + period`, … on the clock's schedule (not drifting with
 * callback time). Ticks missed while the process was busy are skipped, not bunched: the next
 * tick is the first grid point after now.
 */
export function every(clock: Clock, start: TimestampNs, period: TimestampNs, fn: (t: TimestampNs) => void): Timer {
  if (period <= 0n) throw new RangeError(`period must be > 0, got ${period}`);
  let next = start;
  let timer: Timer | undefined;
  let cancelled = false;
  const arm = (): void => {
    timer = clock.at(next, () => {
      if (cancelled) return;
      const due = next;
      const now = clock.now();
      next = due + period;
      if (next <= now) next = due + ((now - due) / period + 1n) * period;
      arm();
      fn(due);
    });
  };
  arm();
  return {
    cancel() {
      cancelled = true;
      timer?.cancel();
    },
  };
}
