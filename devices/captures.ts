/**
 * The capture readers `sensorium inspect <file>` can use, for the composition root to pass to
 * `inspectCaptureCommand` (src/ does not import devices/). Tried in this order by `sniff`.
 * MCAP is not here: @mcap/core may only be imported under src/record/mcap/, so its reader belongs
 * there and joins this map at the composition root.
 */
import type { CaptureReader } from '../src/core/capture.ts';
import { realsenseBagReader } from './depth/realsense-bag/capture-reader.ts';
import { eegFileReader } from './eeg/file-playback/capture-reader.ts';
import { lidarPcapReader } from './lidar/pcap-capture-reader.ts';

export const captureReaders: ReadonlyMap<string, CaptureReader> = new Map<string, CaptureReader>([
  [lidarPcapReader.name, lidarPcapReader],
  [realsenseBagReader.name, realsenseBagReader],
  [eegFileReader.name, eegFileReader],
]);
