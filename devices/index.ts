/**
 * Every device driver Sensorium ships, in one explicit list. `src/main.ts` (the composition root)
 * turns it into the registry; nothing registers itself.
 */
import type { DeviceDriver } from '../src/core/device.ts';
import { simCellDriver } from './sim/driver.ts';

export const drivers: readonly DeviceDriver[] = [simCellDriver as DeviceDriver];

/** The replay driver takes its log reader from the composition root (devices/ cannot import src/record). */
export { createReplayDriver } from './replay/index.ts';
