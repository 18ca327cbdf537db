/** Replay of recorded logs as sources (see README.md). */
export { createReplayDriver, type ReplayDriverDeps } from './driver.ts';
export { groundTruthFor } from './ground-truth.ts';
export { ReplaySession } from './session.ts';
