import { ConfigError, parseDuration } from '../../src/core/index.ts';
import type { ClockParams } from './clock-domain.ts';
import { SIM_SENSORS, type SimSensor } from './sensors.ts';

/** Options of the `sim/cell` driver, after parsing and defaulting. */
export interface SimCellOptions {
  sensor: SimSensor;
  /** World seed (integer 0..2^32−1): same seed, same cell, same timeline, same bytes. */
  seed: number;
  /** Mains frequency (EEG pickup, light flicker). Default 50. */
  lineHz: 50 | 60;
  /** Overrides of the device's seeded default clock (offset, drift) and transport (jitter, latency). */
  clock: Partial<ClockParams>;
  /** Probability that a frame/chunk is lost in transport. Default 0. */
  dropout: number;
  /** Silence windows, relative to open time: no samples are captured inside them. */
  faults: { atNs: bigint; forNs: bigint }[];
  /**
   * Wire mode (issue 7): the device sends its real format through a real transport and the real
   * driver decodes it (eeg: Cyton over a mock serial port; lidar: VLP-16 over loopback UDP; depth:
   * DZ16 over a Unix socket). Present only when true. See wire/wire-adapter.ts.
   */
  wire?: true;
  /**
   * Render camera/depth frames on their own thread. Default: on when the runtime runs on the system
   * clock (live), off on a manual or replay clock, where frames must exist the instant they are due.
   */
  renderThread?: boolean;
}

const KEYS = ['sensor', 'seed', 'lineHz', 'clock', 'dropout', 'faults', 'wire', 'renderThread'];
const CLOCK_KEYS: (keyof ClockParams)[] = ['offsetMs', 'driftPpm', 'jitterMs', 'latencyMs'];

/**
 * Validates raw config (YAML) for `sim/cell`. Every error is a ConfigError naming the dotted path
 * of the bad field and its value, e.g. `sources.eeg0.clock.driftPpm: expected a number …`.
 */
export function parseSimCellOptions(raw: unknown, path: string): SimCellOptions {
  const o = record(raw, path);
  for (const k of Object.keys(o)) {
    if (!KEYS.includes(k)) throw new ConfigError(`${path}.${k}`, `unknown option (sim/cell takes ${KEYS.join(', ')})`);
  }
  const sensor = o['sensor'];
  if (typeof sensor !== 'string' || !(SIM_SENSORS as readonly string[]).includes(sensor)) {
    throw new ConfigError(`${path}.sensor`, `expected one of ${SIM_SENSORS.join(', ')} (got ${show(sensor)})`);
  }
  const seed = o['seed'];
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new ConfigError(`${path}.seed`, `expected an integer 0..4294967295 (got ${show(seed)})`);
  }
  const lineHz = o['lineHz'] ?? 50;
  if (lineHz !== 50 && lineHz !== 60) throw new ConfigError(`${path}.lineHz`, `expected 50 or 60 (got ${show(lineHz)})`);
  const clock: Partial<ClockParams> = {};
  if (o['clock'] !== undefined) {
    const c = record(o['clock'], `${path}.clock`);
    for (const k of Object.keys(c)) {
      const v = c[k];
      if (!(CLOCK_KEYS as string[]).includes(k)) throw new ConfigError(`${path}.clock.${k}`, `unknown option (clock takes ${CLOCK_KEYS.join(', ')})`);
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(`${path}.clock.${k}`, `expected a number (got ${show(v)})`);
      if ((k === 'jitterMs' || k === 'latencyMs') && v < 0) throw new ConfigError(`${path}.clock.${k}`, `must be >= 0 (got ${v})`);
      if (k === 'driftPpm' && Math.abs(v) > 1000) throw new ConfigError(`${path}.clock.${k}`, `must be within ±1000 ppm (got ${v})`);
      clock[k as keyof ClockParams] = v;
    }
  }
  const dropout = o['dropout'] ?? 0;
  if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) {
    throw new ConfigError(`${path}.dropout`, `expected a probability in [0, 1) (got ${show(dropout)})`);
  }
  const faults: SimCellOptions['faults'] = [];
  const rawFaults = o['faults'] ?? [];
  if (!Array.isArray(rawFaults)) throw new ConfigError(`${path}.faults`, `expected a list of { at, for } (got ${show(rawFaults)})`);
  rawFaults.forEach((f: unknown, i) => {
    const fp = `${path}.faults[${i}]`;
    const r = record(f, fp);
    for (const k of Object.keys(r)) if (k !== 'at' && k !== 'for') throw new ConfigError(`${fp}.${k}`, 'unknown option (a fault takes at, for)');
    faults.push({ atNs: duration(r['at'], `${fp}.at`, true), forNs: duration(r['for'], `${fp}.for`, false) });
  });
  const wire = o['wire'] ?? false;
  if (typeof wire !== 'boolean') throw new ConfigError(`${path}.wire`, `expected true or false (got ${show(wire)})`);
  if (wire && sensor === 'camera') throw new ConfigError(`${path}.wire`, 'wire mode covers eeg (Cyton packets over a mock serial port), lidar (VLP-16 packets over loopback UDP) and depth (DZ16 frames over a Unix socket), not camera');
  const renderThread = o['renderThread'];
  if (renderThread !== undefined && typeof renderThread !== 'boolean') throw new ConfigError(`${path}.renderThread`, `expected true or false (got ${show(renderThread)})`);
  return { sensor: sensor as SimSensor, seed, lineHz, clock, dropout, faults, ...(wire ? { wire: true as const } : {}), ...(renderThread !== undefined ? { renderThread } : {}) };
}

function record(v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigError(path, `expected an object (got ${show(v)})`);
  return v as Record<string, unknown>;
}

function duration(v: unknown, path: string, zeroOk: boolean): bigint {
  const ns = typeof v === 'string' ? parseDuration(v) : undefined;
  if (ns === undefined || ns < 0n || (!zeroOk && ns === 0n)) {
    throw new ConfigError(path, `expected a duration like "20s" or "500ms"${zeroOk ? '' : ' (> 0)'} (got ${show(v)})`);
  }
  return ns;
}

function show(v: unknown): string {
  return v === undefined ? 'nothing' : JSON.stringify(v);
}
