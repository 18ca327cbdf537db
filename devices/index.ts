/**
 * Every device driver Sensorium ships, in one explicit list. `src/main.ts` (the composition root)
 * turns it into the registry; nothing registers itself.
 */
import type { DeviceDriver } from '../src/core/device.ts';
import { ffmpegCameraDriver } from './camera/ffmpeg/driver.ts';
import { whipCameraDriver } from './camera/webrtc/driver.ts';
import { realsenseBagDriver } from './depth/realsense-bag/driver.ts';
import { z16DepthDriver } from './depth/z16/driver.ts';
import { eegFileDriver } from './eeg/file-playback/driver.ts';
import { openbciCytonDriver } from './eeg/openbci-cyton/driver.ts';
import { ousterDriver } from './lidar/ouster/driver.ts';
import { rplidarDriver } from './lidar/rplidar/driver.ts';
import { velodyneDriver } from './lidar/velodyne/driver.ts';
import { simCellDriver } from './sim/driver.ts';

export const drivers: readonly DeviceDriver[] = [
  simCellDriver,
  openbciCytonDriver,
  eegFileDriver,
  rplidarDriver,
  velodyneDriver,
  ousterDriver,
  z16DepthDriver,
  realsenseBagDriver,
  ffmpegCameraDriver,
  whipCameraDriver,
] as DeviceDriver[];

export { captureReaders } from './captures.ts';

/** The replay driver takes its log reader from the composition root (devices/ cannot import src/record). */
export { createReplayDriver } from './replay/index.ts';
