import type { TimestampNs } from '../core/time.ts';
import type { SteppingClock } from './stepping-clock.ts';

/** What drives replay besides the clock's own timers: the log (see ReplayFeed). */
export interface LockstepFeed {
  nextAt(): TimestampNs | undefined;
  fill(t: TimestampNs): Promise<void>;
}

export interface LockstepOptions {
  clock: SteppingClock;
  /** Waits for the work an instant started (the Runtime's `idle()`: no fusion running or queued). */
  settle: () => Promise<void>;
  feed?: LockstepFeed;
  /** Last instant to run (inclusive). */
  endNs: TimestampNs;
  /** Holds an instant back until the wall clock reaches it (speed 1×, N×); absent = max speed. */
  pace?: (t: TimestampNs) => Promise<void>;
  /** After each instant has settled (flush ordered output, progress). */
  onInstant?: (t: TimestampNs) => void;
  /** Checked between instants: stop early (SIGINT). */
  stopped?: () => boolean;
}

/**
 * Lock-step execution on a virtual clock, the pattern of test/integration/demo-pipeline.test.ts
 * made exact: jump to the next instant at which anything happens (a sample's arrival, a trigger, a
 * timer), fire it, then wait until inference has finished everything that instant started. Samples
 * of the log are put on the clock before the clock may pass them. So every set is aligned from the
 * same buffers and none is dropped because the worker was busy — outputs are identical at any
 * speed; speed only decides how long we wait for the wall clock before each instant.
 */
export async function runLockstep(o: LockstepOptions): Promise<{ instants: number }> {
  let instants = 0;
  for (;;) {
    if (o.stopped?.()) break;
    const due = o.feed?.nextAt();
    const t = o.clock.nextAt();
    if (due !== undefined && (t === undefined || due <= t)) {
      await o.feed?.fill(due);
      continue;
    }
    if (t === undefined || t > o.endNs) break;
    await o.pace?.(t);
    await o.clock.advanceTo(t);
    await o.settle();
    instants++;
    o.onInstant?.(t);
  }
  return { instants };
}
