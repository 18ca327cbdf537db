import type { RecordingTimingReader } from '../align/timing/types.ts';
import type { CaptureReaders } from '../core/capture.ts';
import type { Registry } from '../core/registry.ts';

/** What the CLI needs beyond the runtime registry: file-format readers for its analysis commands. */
export interface CliRegistry extends Registry {
  /** Readers for `sensorium timing <file>` (OpenBCI GUI text, …). */
  timingReaders: readonly RecordingTimingReader[];
  /** Readers for `sensorium inspect <capture>` (pcap, RealSense bag, EEG files, MCAP). */
  captureReaders: CaptureReaders;
}
