import type { TimestampNs } from '../../src/core/index.ts';
import { ClockDomain, defaultClock, type ClockParams } from './clock-domain.ts';
import { eegProfile, type EegProfile } from './eeg-profile.ts';
import { smoothstep, type Solid } from './geometry.ts';
import { createLayout, type CellLayout } from './layout.ts';
import { sliceAt, type Slice } from './lidar-renderer.ts';
import { conveyorPartsAt } from './parts.ts';
import { operatorAt, trafficAt } from './people.ts';
import { RgbdRenderer, type RgbdScene } from './rgbd-renderer.ts';
import { robotStateAt } from './robot.ts';
import { SENSORS, type SimSensor } from './sensors.ts';
import { Timeline, type FactorPhase, type OperatorFactor, type RobotFactor } from './timeline.ts';

/**
 * Pins a factor to a value for the whole query (no transitions): tests flip one factor at a fixed
 * instant to show that a modality does not see it, and the model card renders both states.
 */
export interface FactorOverrides {
  robot?: RobotFactor;
  operator?: OperatorFactor;
}

export interface SimWorldOptions {
  seed: number;
  /** Mains frequency for EEG pickup and light flicker. Default 50 (Europe); 60 in the Americas. */
  lineHz?: 50 | 60;
}

/** Per-device deviations from the world's default clock/transport. */
export interface DeviceOverrides {
  clock?: Partial<ClockParams>;
  /** Probability that a frame is lost in transport. Default 0. */
  dropout?: number;
}

/**
 * One seeded cell: layout, label timeline, EEG subject, and the ground-truth state of everything
 * at any instant. Renderers read this state; nothing here depends on how the state is packaged
 * or delivered (see adapter.ts / snapshot.ts), so a later wire-format simulator can reuse it.
 */
export class SimWorld {
  readonly seed: number;
  readonly lineHz: 50 | 60;
  readonly layout: CellLayout;
  readonly timeline: Timeline;
  readonly eeg: EegProfile;
  #rgbd: RgbdRenderer | undefined;
  #lidarStatic: Slice | undefined;

  constructor(options: SimWorldOptions) {
    this.seed = options.seed;
    this.lineHz = options.lineHz ?? 50;
    this.layout = createLayout(options.seed);
    this.timeline = new Timeline(options.seed);
    this.eeg = eegProfile(options.seed);
  }

  /** The RGB-D renderer (its static background is built on first render). */
  rgbd(): RgbdRenderer {
    this.#rgbd ??= new RgbdRenderer({ seed: this.seed, layout: this.layout, lineHz: this.lineHz });
    return this.#rgbd;
  }

  /** Static solids sliced at the LiDAR's height, computed once. */
  lidarStatic(): Slice {
    this.#lidarStatic ??= sliceAt(this.layout.solids, this.layout.lidar.z);
    return this.#lidarStatic;
  }

  robotPhase(t: TimestampNs, ov: FactorOverrides = {}): FactorPhase {
    return this.timeline.phase(t, 'robot', ov.robot === undefined ? undefined : ov.robot === 'running' ? 0 : 1);
  }

  operatorPhase(t: TimestampNs, ov: FactorOverrides = {}): FactorPhase {
    return this.timeline.phase(t, 'operator', ov.operator === undefined ? undefined : ov.operator === 'engaged' ? 0 : 1);
  }

  /** Operator engagement for the EEG: 1 engaged, 0 resting, eased across a transition. */
  engagement(t: TimestampNs, ov: FactorOverrides = {}): number {
    const ph = this.operatorPhase(t, ov);
    const target = ph.value === 0 ? 1 : 0;
    const from = ph.from === 0 ? 1 : 0;
    return from + (target - from) * smoothstep(ph.progress);
  }

  /** What moves in front of the RGB-D unit at `t`: robot, conveyor parts, people, AGV. */
  rgbdSceneAt(t: TimestampNs, ov: FactorOverrides = {}): RgbdScene {
    const traffic = trafficAt(this.seed, this.layout, t);
    return {
      robot: robotStateAt(this.seed, this.layout, t, this.robotPhase(t, ov)),
      parts: conveyorPartsAt(this.seed, this.layout, t),
      capsules: [...traffic.capsules, ...operatorAt(this.seed, this.layout, t, this.operatorPhase(t, ov))],
      boxes: traffic.boxes,
    };
  }

  /**
   * Moving solids for the LiDAR at `t`. The robot is included too: its arm is above the scan plane,
   * so slicing drops it — the LiDAR is blind to R because of geometry, not because we left it out.
   */
  lidarSolidsAt(t: TimestampNs, ov: FactorOverrides = {}): Solid[] {
    const traffic = trafficAt(this.seed, this.layout, t);
    return [
      ...operatorAt(this.seed, this.layout, t, this.operatorPhase(t, ov)),
      ...traffic.capsules,
      ...traffic.boxes,
      ...robotStateAt(this.seed, this.layout, t, this.robotPhase(t, ov)).capsules,
    ];
  }

  /** The clock domain of one of the world's devices. */
  clock(sensor: SimSensor, overrides: DeviceOverrides = {}): ClockDomain {
    const spec = SENSORS[sensor];
    return new ClockDomain({
      seed: this.seed,
      deviceKey: spec.deviceKey,
      rateHz: spec.gridHz,
      frameSamples: spec.frameSamples,
      durationNs: spec.durationNs,
      clock: { ...defaultClock(this.seed, spec.deviceKey, spec.transport), ...overrides.clock },
      dropout: overrides.dropout ?? 0,
    });
  }
}
