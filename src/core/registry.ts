import type { DeviceDriver } from './device.ts';

/**
 * Everything pluggable, filled at the one composition root (`src/main.ts`): no self-registering
 * side effects (STYLE.md 7).
 */
export interface Registry {
  /** Device drivers by config name (`sim/cell`, `eeg/openbci-cyton`, …). */
  drivers: ReadonlyMap<string, DeviceDriver>;
  /** URL of the module with `createPreprocessor(spec)` used by inference workers. */
  preprocessModule: string;
  /** Sensorium's version (package.json), for status payloads and logs. */
  version: string;
}
