import type { DeviceDriver, SourceDescription } from './device.ts';
import type { AnySample, SampleKind } from './sample.ts';
import type { Clock, TimestampNs } from './time.ts';

/**
 * The seam between recorded sensor logs and the code that replays them. `devices/replay` (which may
 * import only src/core) reads logs through {@link LogReader}; the MCAP implementation lives in
 * `src/record/mcap/` and is handed in by the composition root (`src/main.ts`) as a
 * {@link LogOpener}. No MCAP type crosses this seam.
 */

/** One source found in a log: what the replay driver describes and streams. */
export interface LoggedSource {
  /** Source id (sensorium logs: the recorded config's id; rosbag2: derived from the topic). */
  id: string;
  /** Topic (MCAP channel) the samples come from. */
  topic: string;
  kind: SampleKind;
  description: SourceDescription;
  /** Messages on the topic, when the log says (its statistics). */
  messageCount?: number;
}

/** What a log is, read from its header, metadata and summary before any sample is decoded. */
export interface LogInfo {
  path: string;
  /** `sensorium`: written by our recorder; `rosbag2`: ROS 2 profile; `mcap`: any other MCAP. */
  format: 'sensorium' | 'rosbag2' | 'mcap';
  /** Writer of the file (MCAP header `library`). */
  library: string;
  /** Replay starts here: the recording's start when the log says, else its first message. */
  startNs: TimestampNs;
  /** Last message's log time (inclusive). */
  endNs: TimestampNs;
  sources: LoggedSource[];
  /** The config that produced the log (YAML text) and the directory its relative paths meant. */
  config?: { yaml: string; dir?: string };
  /** Free-form provenance (format version, software, downsampling…), from the log's metadata. */
  meta: Record<string, string>;
  /** Pipelines whose results the log holds (sensorium logs). */
  pipelines: string[];
  /** Human-readable notes: topics skipped and why, recovery of a cut-off file, lossy settings. */
  notes: string[];
  /** True when the file had no usable summary and was read by scanning (a cut-off recording). */
  recovered: boolean;
}

export interface SampleQuery {
  /** Only these source ids (default: all). */
  sources?: readonly string[];
  /** Only samples received at or after this time. */
  startNs?: TimestampNs;
  /** Only samples received at or before this time. */
  endNs?: TimestampNs;
}

/** A labelled instant of a ground-truth track: the label in force from `at` on. */
export interface TruthPoint {
  at: TimestampNs;
  label: number;
  /** False for the state at the start of a recording (not a change of label). */
  change: boolean;
}

/** Ground truth recorded next to the samples (simulator logs), for accuracy at replay. */
export interface GroundTruthTrack {
  /** What produced it, e.g. `sim/cell seed=7`. */
  key: string;
  labels: readonly string[];
  points: readonly TruthPoint[];
}

export interface LogReader {
  readonly info: LogInfo;
  /**
   * Samples in `receivedAt` order (ties in file order), exactly as recorded: `t`, `tEnd`, `deviceT`,
   * `receivedAt`, `seq` and payload. Every payload owns its ArrayBuffers (they may be transferred).
   * Throws `RecordingError` (with the byte offset) on corrupt bytes; a cut-off tail ends the stream.
   */
  samples(query?: SampleQuery): AsyncIterable<AnySample>;
  /** The ground-truth track, when the log has one. */
  groundTruth(): Promise<GroundTruthTrack | undefined>;
  close(): Promise<void>;
}

/** Opens a log file for reading. Rejects with `RecordingError` when it is not a readable log. */
export type LogOpener = (path: string) => Promise<LogReader>;

/** A live source of truth (the simulator's timeline), consulted while recording. */
export interface GroundTruth {
  key: string;
  labels: readonly string[];
  labelAt(t: TimestampNs): number;
  /** Label changes with `t0 <= at < t1`, in time order. */
  changesBetween(t0: TimestampNs, t1: TimestampNs): { at: TimestampNs; label: number }[];
}

/** Ground truth for a configured source, when its driver can vouch for one (simulators). */
export type GroundTruthOracle = (driver: string, options: unknown) => GroundTruth | undefined;

/** Options of a replay source (`driver: replay`), written by `sensorium replay` into the config. */
export interface ReplaySourceOptions {
  /** Path of the log, exactly as passed to {@link ReplayDriver.load}. */
  log: string;
  /** Source id in the log. A source the log lacks (or the filter excludes) stays silent. */
  source: string;
  /** Description to use when the log has no such source (so wiring still validates). */
  fallback?: SourceDescription;
}

/**
 * The controller's handle on one replay: samples are scheduled on the virtual clock at their
 * `receivedAt`, and the controller advances that clock only past instants whose samples are
 * already scheduled. That is what makes a replay identical at any speed.
 */
export interface ReplayFeed {
  readonly info: LogInfo;
  /** `receivedAt` of the next sample not yet scheduled; undefined when the log is exhausted. */
  nextAt(): TimestampNs | undefined;
  /** Schedules every sample with `receivedAt <= t` on the clock (reads ahead one sample). */
  fill(t: TimestampNs): Promise<void>;
  /** Samples delivered so far, per source id. */
  delivered(): Record<string, number>;
  /** The log's ground-truth track, when it has one. */
  groundTruth(): Promise<GroundTruthTrack | undefined>;
  close(): Promise<void>;
}

export interface ReplayLoadOptions {
  /** The virtual clock the replay sources will be opened on (one feed per clock and log). */
  clock: Clock;
  sources?: readonly string[];
  startNs?: TimestampNs;
  endNs?: TimestampNs;
}

/** The `replay` driver: a DeviceDriver whose sources stream from a log loaded for one clock. */
export interface ReplayDriver extends DeviceDriver<ReplaySourceOptions> {
  load(path: string, options: ReplayLoadOptions): Promise<ReplayFeed>;
  /** Ground truth of configured sources, for the recorder (see devices/replay/README.md). */
  groundTruthFor: GroundTruthOracle;
}

export function isReplayDriver(d: DeviceDriver | undefined): d is ReplayDriver {
  return d !== undefined && typeof (d as Partial<ReplayDriver>).load === 'function' && typeof (d as Partial<ReplayDriver>).groundTruthFor === 'function';
}

/** The label in force at `t`, or undefined before the track starts. */
export function truthAt(track: GroundTruthTrack, t: TimestampNs): number | undefined {
  const ps = track.points;
  let lo = 0;
  let hi = ps.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ps[mid] as TruthPoint).at <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? undefined : (ps[lo - 1] as TruthPoint).label;
}

/** Distance from `t` to the nearest change of label in the track (a large value when none). */
export function distanceToChange(track: GroundTruthTrack, t: TimestampNs): TimestampNs {
  let best = 1n << 62n;
  for (const p of track.points) {
    if (!p.change) continue;
    const d = p.at > t ? p.at - t : t - p.at;
    if (d < best) best = d;
  }
  return best;
}
