import type { GroundTruth, GroundTruthOracle } from '../../src/core/log-reader.ts';
import { LABELS, Timeline, parseSimCellOptions } from '../sim/index.ts';

/**
 * Ground truth the recorder can log next to a source, so a replay can report accuracy. Only the
 * simulator knows the truth: `sim/cell` sources with the same seed share one label timeline
 * (devices/sim/timeline.ts). It lives with the replay family because it is what a log is graded
 * against; the sim driver itself stays unaware of recording.
 */
export const groundTruthFor: GroundTruthOracle = (driver, options) => {
  if (driver !== 'sim/cell') return undefined;
  let seed: number;
  try {
    seed = parseSimCellOptions(options, 'source').seed;
  } catch {
    return undefined;
  }
  const timeline = new Timeline(seed);
  const truth: GroundTruth = {
    key: `sim/cell seed=${seed}`,
    labels: LABELS,
    labelAt: (t) => timeline.labelAt(t),
    changesBetween: (t0, t1) => timeline.changesBetween(t0, t1).map((c) => ({ at: c.at, label: c.to })),
  };
  return truth;
};
