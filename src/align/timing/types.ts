/**
 * The seam between recording formats and timing analysis. A reader turns a file into per-source
 * timing streams; `analyzeTiming` does the rest. Readers live with their format (OpenBCI GUI text:
 * `devices/eeg/openbci-gui/`; MCAP: `src/record/`, once recording exists) and are handed to
 * `sensorium timing` by the composition root, so src/ never imports devices/.
 */

/** One source's timing as recorded: which of these a format carries varies. */
export interface TimingStream {
  sourceId: string;
  /** Declared sampling rate, Hz. */
  nominalHz: number;
  /** Per-sample wrapping counter (OpenBCI Cyton: 8 bits). */
  counter?: { values: ArrayLike<number>; bits: number };
  /** Per-sample device-clock stamps, ns (sources with their own clock). */
  deviceNs?: ArrayLike<number>;
  /** Per-sample host arrival times on the host timeline, ns. */
  arrivalNs?: ArrayLike<bigint>;
}

export interface TimingRecording {
  /** Format name for the report (`openbci-gui/v6`, `mcap`, …). */
  format: string;
  streams: TimingStream[];
}

export interface RecordingTimingReader {
  readonly name: string;
  /** Does this reader understand a file that starts with these bytes? */
  sniff(head: Uint8Array): boolean;
  /** Reads the whole file. Throws a SensoriumError (DecodeError, RecordingError) when it cannot. */
  read(bytes: Uint8Array, fileName: string): TimingRecording | Promise<TimingRecording>;
}
