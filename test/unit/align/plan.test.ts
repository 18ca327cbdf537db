import { describe, expect, it } from 'vitest';
import type { InputSpec } from '../../../src/align/create.ts';
import { predictPlan, type PlanSource } from '../../../src/align/plan.ts';

const MS = 1_000_000n;
// The simulator's cell (devices/sim/sensors.ts): rates, payload sizes and transport figures.
const SOURCES = new Map<string, PlanSource>([
  ['cam0', { nominalHz: 30, bytesPerSample: 921600, latencyNs: 30n * MS, jitterNs: 4n * MS }],
  ['depth0', { nominalHz: 30, bytesPerSample: 614400, latencyNs: 25n * MS, jitterNs: 4n * MS }],
  ['lidar0', { nominalHz: 10, bytesPerSample: 1440, latencyNs: 105n * MS, jitterNs: 2n * MS }],
  ['eeg0', { nominalHz: 25, bytesPerSample: 320, latencyNs: 12n * MS, jitterNs: 8n * MS, kind: 'eeg', samplesPerChunk: 10, rateHz: 250, channels: 8 }],
]);

describe('predictPlan (runs the real policies on simulated streams)', () => {
  it('latest + window at 10 Hz: ten sets a second, data never older than maxAge, decimation counted as unused', () => {
    const inputs: InputSpec[] = [
      { modality: 'camera', sourceId: 'cam0', policy: 'latest', maxAgeNs: 70n * MS },
      { modality: 'depth', sourceId: 'depth0', policy: 'latest', maxAgeNs: 70n * MS },
      { modality: 'lidar', sourceId: 'lidar0', policy: 'latest', maxAgeNs: 250n * MS },
      { modality: 'eeg', sourceId: 'eeg0', policy: 'window', lengthNs: 1000n * MS, samples: 250, maxAgeNs: 200n * MS },
    ];
    const p = predictPlan({ inputs, trigger: { everyNs: 100n * MS }, bufferCapacity: (id) => (id === 'eeg0' ? 75 : 90) }, SOURCES, { durationNs: 10_000n * MS });
    expect(p.outputHz).toBeCloseTo(10, 0);
    expect(p.inputs['camera']).toMatchObject({ fresh: 1, missing: 0 });
    expect(p.inputs['camera']?.drops.unused).toBeGreaterThan(150); // 30 Hz into 10 Hz: two of three frames
    expect(p.inputs['eeg']?.missing).toBe(0);
    expect(p.maxDataAgeMs).toBeLessThan(1100); // the 1 s EEG window
    expect(p.bufferSamples['cam0']).toBeLessThanOrEqual(90);
    expect(p.bufferBytes).toBeGreaterThan(0);
  });

  it('approximate over the four streams: paced by the 10 Hz LiDAR, sets within maxInterval, waits bounded by the deadlines', () => {
    const inputs: InputSpec[] = (['cam0', 'depth0', 'lidar0', 'eeg0'] as const).map((id, i) => ({
      modality: (['camera', 'depth', 'lidar', 'eeg'] as const)[i] as InputSpec['modality'],
      sourceId: id,
      policy: 'approximate',
      deadlineNs: 250n * MS,
      maxLatencyNs: 150n * MS,
    }));
    const p = predictPlan({ inputs, maxIntervalNs: 50n * MS }, SOURCES, { durationNs: 10_000n * MS });
    expect(p.policy).toBe('approximate');
    expect(p.outputHz).toBeGreaterThan(8);
    expect(p.outputHz).toBeLessThanOrEqual(10.5);
    expect(p.inputs['lidar']?.missing).toBe(0);
    expect(p.worstCaseAddedLatencyMs).toBeLessThan(250 + 150 + 50);
    expect(p.bufferSamples['eeg0']).toBeLessThanOrEqual(64);
  });

  it('a silent source shows up as missing, not as a stall', () => {
    const sources = new Map(SOURCES);
    const inputs: InputSpec[] = [
      { modality: 'camera', sourceId: 'cam0', policy: 'approximate', deadlineNs: 100n * MS, maxLatencyNs: 60n * MS },
      { modality: 'lidar', sourceId: 'dead', policy: 'approximate', deadlineNs: 100n * MS, maxLatencyNs: 60n * MS },
    ];
    sources.set('dead', { nominalHz: 0.01, bytesPerSample: 1, latencyNs: 100_000n * MS }); // nothing arrives in time
    const p = predictPlan({ inputs, maxIntervalNs: 20n * MS }, sources, { durationNs: 5_000n * MS });
    expect(p.outputHz).toBeCloseTo(30, 0);
    expect(p.inputs['lidar']?.missing).toBe(1);
    expect(p.alignWaitMs.max).toBeLessThanOrEqual(100 + 60 + 1);
  });
});

describe('planPipeline (what `sensorium plan` calls with its wiring)', () => {
  it('takes a WiredPipeline and the wired sources as they are', async () => {
    const { planPipeline } = await import('../../../src/align/plan-wiring.ts');
    type Wired = import('../../../src/config/wiring.ts').WiredPipeline;
    const pipeline: Pick<Wired, 'trigger' | 'inputs'> = {
      trigger: { everyNs: 100n * MS },
      inputs: [
        { modality: 'camera', sourceId: 'cam0', policy: 'latest', maxAgeNs: 70n * MS },
        { modality: 'eeg', sourceId: 'eeg0', policy: 'window', lengthNs: 1000n * MS, maxAgeNs: 200n * MS, samples: 250 },
      ],
    };
    const sources = new Map([
      ['cam0', { description: { kind: 'image' as const, modality: 'camera' as const, nominalHz: 30, bytesPerSample: 921600, latencyNs: 30n * MS } }],
      ['eeg0', { description: { kind: 'eeg' as const, modality: 'eeg' as const, nominalHz: 25, bytesPerSample: 320, samplesPerChunk: 10, rateHz: 250, channels: 8, latencyNs: 48n * MS } }],
    ]);
    const p = planPipeline(pipeline, sources, { durationNs: 6_000n * MS, phases: 2 });
    expect(p.outputHz).toBeCloseTo(10, 0);
    expect(p.bufferSamples['cam0']).toBeLessThanOrEqual(90);
    expect(p.inputs['eeg']?.missing).toBe(0);
  });
});
