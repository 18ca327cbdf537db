import { OptionReader } from '../../config/option-reader.ts';
import { DEFAULT_GAIN, GAIN_CODES } from './scale.ts';

/** Options of `eeg/openbci-cyton`, after parsing and defaulting. */
export interface CytonOptions {
  /** Serial port of the USB dongle, e.g. /dev/ttyUSB0 or /dev/serial/by-id/usb-FTDI_…. */
  path: string;
  /** Default 115200: the dongle's rate (SDK §"Radio": F0 05 resets it to this). */
  baudRate: number;
  /** 8, or 16 with the Daisy module (`C` command; 125 Hz per channel). Default 8. */
  channels: 8 | 16;
  /** PGA gain per channel; default 24 for all (the board's power-on default). Sent as `x…X` when set. */
  gains: number[];
  /** Samples per EEG chunk. Default 10 (25 chunks/s at 250 Hz, as the simulator). */
  samplesPerChunk: number;
  /** Soft-reset (`v`) and wait for the banner on connect. Default true. */
  reset: boolean;
  /** Extra raw commands sent before `b` (e.g. "-" for the 1× test signal). Default none. */
  commands: string[];
}

const KEYS_HINT = 'eeg/openbci-cyton';

export function parseCytonOptions(raw: unknown, path: string): CytonOptions {
  const r = new OptionReader(raw, path);
  const channels = r.oneOf('channels', 8, [8, 16] as const);
  const gainsRaw = r.raw('gains');
  let gains: number[];
  if (gainsRaw === undefined) gains = [];
  else if (typeof gainsRaw === 'number') gains = Array.from({ length: channels }, () => gainsRaw);
  else if (Array.isArray(gainsRaw) && gainsRaw.length === channels) gains = gainsRaw as number[];
  else throw r.error('gains', `a gain or a list of ${channels} gains`, gainsRaw);
  if (gains.some((g) => !GAIN_CODES.includes(g))) throw r.error('gains', `gains from ${GAIN_CODES.join(', ')}`, gainsRaw);
  const o: CytonOptions = {
    path: r.string('path'),
    baudRate: r.oneOf('baudRate', 115200, [115200, 230400, 921600]),
    channels,
    gains,
    samplesPerChunk: r.int('samplesPerChunk', 10, 1, 250),
    reset: r.bool('reset', true),
    commands: r.stringList('commands', []),
  };
  r.done(KEYS_HINT);
  return o;
}

/** The gain of channel `c` (0-based): configured, else the board default. */
export function gainOf(o: CytonOptions, c: number): number {
  return o.gains[c] ?? DEFAULT_GAIN;
}
