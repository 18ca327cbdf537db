/**
 * The simulated reference cell. The driver (`sim/cell`) streams it like real devices; the rest is
 * the non-driver API the dataset export, evaluation and tests use to query ground truth and render
 * exactly what a device would have delivered at a given time.
 */
export { simCellDriver } from './driver.ts';
export { parseSimCellOptions, type SimCellOptions } from './options.ts';
export { SimWorld, type DeviceOverrides, type FactorOverrides, type SimWorldOptions } from './world.ts';
export {
  Timeline, LABELS, EPOCH_NS, TRANSITION_NS, factorsOf, labelOf,
  type Factors, type Label, type LabelIndex, type OperatorFactor, type RobotFactor, type Switch,
} from './timeline.ts';
export { ClockDomain, type ClockParams } from './clock-domain.ts';
export { SENSORS, SIM_SENSORS, EEG_CHUNK, type SimSensor } from './sensors.ts';
export { renderFrame, DEPTH_UNIT_M, type FramePayloads, type FrameSensor } from './render-frame.ts';
export { latestFrame, observeAt, type CapturedFrame, type Observation, type ObserveOptions } from './observe.ts';
export { eegWindowAt, type EegWindow, type EegWindowOptions } from './eeg-window.ts';
export { EegGenerator } from './eeg-generator.ts';
export { CHANNELS, EEG_RATE_HZ } from './eeg-profile.ts';
export { T_REF_NS } from './sim-time.ts';
export { Stream, hash32 } from './hash.ts';
export { sliceAt, type Slice } from './lidar-renderer.ts';
