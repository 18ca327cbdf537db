import type { RecordingTimingReader } from '../align/timing/types.ts';
import type { Registry } from '../core/registry.ts';

/** What the CLI needs beyond the runtime registry: file-format readers for its analysis commands. */
export interface CliRegistry extends Registry {
  /** Readers for `sensorium timing <file>` (OpenBCI GUI text, …). */
  timingReaders: readonly RecordingTimingReader[];
}
