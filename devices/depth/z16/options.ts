import { ConfigError } from '../../../src/core/errors.ts';
import { OptionReader } from '../../config/option-reader.ts';

/** Options of `depth/z16`, after parsing and defaulting. Exactly one of command, socket, file. */
export interface Z16Options {
  /** Sidecar argv writing DZ16 frames to stdout (e.g. ["python3", "rs_z16.py", "--fps", "30"]). */
  command?: string[];
  /** Unix socket path (or host:port) a sidecar serves DZ16 frames on. */
  socket?: string;
  /** A recording: DZ16 frames, or headerless Z16 frames (`framing: raw`, rs-convert -r output). */
  file?: string;
  /** 'dz16' (length-prefixed with a JSON header; default) or 'raw' (fixed width×height×2 bytes). */
  framing: 'dz16' | 'raw';
  /** Frame size for `framing: raw` (and the planning estimate). Default 640×480. */
  width: number;
  height: number;
  /** Metres per unit for `framing: raw`. Default 0.001 (RealSense "Depth Units" default). */
  unitM: number;
  /** Frames per second: planning, and the playback rate of a file. Default 30. */
  fps: number;
  /** Files: loop forever. Default false (the source ends with the file). */
  loop: boolean;
  /** No frame for this long → restart the sidecar / reconnect. Default 2000 ms. */
  stallMs: number;
}

export function parseZ16Options(raw: unknown, path: string): Z16Options {
  const r = new OptionReader(raw, path);
  const o: Z16Options = {
    framing: r.oneOf('framing', 'dz16', ['dz16', 'raw'] as const),
    width: r.int('width', 640, 1, 8192),
    height: r.int('height', 480, 1, 8192),
    unitM: r.number('unitM', 0.001, 1e-6, 1),
    fps: r.number('fps', 30, 0.1, 1000),
    loop: r.bool('loop', false),
    stallMs: r.int('stallMs', 2000, 100, 600_000),
  };
  if (r.has('command')) o.command = r.stringList('command', []);
  else r.raw('command');
  const socket = r.optionalString('socket');
  if (socket) o.socket = socket;
  const file = r.optionalString('file');
  if (file) o.file = file;
  const n = [o.command, o.socket, o.file].filter((x) => x !== undefined).length;
  if (n !== 1) throw new ConfigError(path, `depth/z16 needs exactly one of command, socket, file (got ${n})`);
  if (o.framing === 'raw' && !o.file) throw r.error('framing', '"dz16" for live sources (raw framing has no way to resynchronise)', 'raw');
  r.done('depth/z16');
  return o;
}
