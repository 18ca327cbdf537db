import type { TimestampNs } from '../../src/core/index.ts';

/**
 * Reference instant of the simulation, 2023-11-14T22:13:20Z (ManualClock's default start). Device
 * clocks count from it, and smooth motions take seconds relative to it so that float64 keeps
 * sub-microsecond precision (seconds since 1970 would keep only ~0.2 µs, and phases of a 50 Hz
 * line would wander).
 */
export const T_REF_NS: TimestampNs = 1_700_000_000_000_000_000n;

/** Seconds since {@link T_REF_NS} (negative before it). */
export function simSeconds(t: TimestampNs): number {
  return Number(t - T_REF_NS) / 1e9;
}

/** Fractional part of the absolute second, exact: for phases of signals with integer Hz. */
export function fracSecond(t: TimestampNs): number {
  const r = t % 1_000_000_000n;
  return Number(r < 0n ? r + 1_000_000_000n : r) / 1e9;
}
