import { describe, expect, it } from 'vitest';
import type { Modality } from '../../../src/core/sample.ts';
import { StageCosts } from '../../../src/inference/worker-tuning.ts';

/** Costs that have learned one measurement per modality: [preprocess, encode] ms. */
function learned(measured: Record<Modality, readonly [number, number]>): StageCosts {
  const c = new StageCosts();
  for (const [m, [pre, enc]] of Object.entries(measured)) {
    c.learn(m as Modality, 'pre', pre);
    c.learn(m as Modality, 'enc', enc);
  }
  return c;
}

describe('StageCosts.split: the helper thread’s share of a set', () => {
  it('evens out the two threads on the reference encoders’ measured costs', () => {
    // ms per frame measured here (preprocess, encode).
    const c = learned({ camera: [0.85, 0.26], depth: [0.89, 0.23], lidar: [0.02, 0.1], eeg: [0.38, 0.11] });
    // Helper: camera + EEG preprocessing (1.23 ms + hand-off); worker: depth + LiDAR (0.91 + their encodes).
    expect([...c.split(['camera', 'depth', 'lidar', 'eeg'])].sort()).toEqual(['camera', 'eeg']);
    // A frame cheaper than the hand-off never goes; one frame alone stays with the worker.
    expect(c.split(['lidar', 'eeg']).has('lidar')).toBe(false);
    expect(c.split(['camera']).size).toBe(0);
  });

  it('follows costs as they change (moving average)', () => {
    const c = new StageCosts();
    for (let i = 0; i < 50; i++) {
      c.learn('camera', 'pre', 0.1);
      c.learn('depth', 'pre', 2);
      c.learn('depth', 'enc', 0.2);
      c.learn('camera', 'enc', 0.2);
    }
    expect([...c.split(['camera', 'depth'])]).toEqual([]); // depth is the worker's; camera too cheap to move
    for (let i = 0; i < 50; i++) c.learn('camera', 'pre', 3);
    // Now camera is the costliest: the worker keeps it (it encodes it anyway), the helper takes depth.
    expect([...c.split(['camera', 'depth'])]).toEqual(['depth']);
  });

  it('counts what the helper already has for the set (prepared a set ahead) on its side', () => {
    // Costs as measured under load in bench:pipeline: the helper's frames come out dearer.
    const c = learned({ camera: [1.2, 0.26], depth: [1.63, 0.4], lidar: [0.02, 0.1], eeg: [0.48, 0.1] });
    // Alone, depth would go: its encode costs more than the hand-off.
    expect([...c.split(['depth', 'lidar'])]).toEqual(['depth']);
    // But the helper is already busy with this set's camera and EEG: depth stays with the worker
    // (sending it too made the worker wait ~2 ms per set for the helper).
    expect([...c.split(['depth', 'lidar'], ['camera', 'eeg'])]).toEqual([]);
    // With only the EEG there, the camera still goes.
    expect([...c.split(['camera', 'depth', 'lidar'], ['eeg'])]).toEqual(['camera']);
    // A frame alone in the set beside one the helper has is split like any other.
    expect(c.split(['lidar'], ['eeg']).size).toBe(0);
  });
});
