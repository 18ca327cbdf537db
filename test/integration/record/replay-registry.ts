import { createReplayDriver } from '../../../devices/replay/index.ts';
import type { Registry } from '../../../src/core/registry.ts';
import { createRegistry } from '../../../src/main.ts';
import { openMcapLog } from '../../../src/record/mcap/open-log.ts';

/**
 * The registry as src/main.ts builds it once the replay driver is registered there (see the
 * issue 6 report): the shipped drivers plus `replay`, reading MCAP through src/record/mcap.
 */
export function replayRegistry(): Registry {
  const base = createRegistry();
  const replay = createReplayDriver({ openLog: openMcapLog });
  return { ...base, drivers: new Map([...base.drivers, [replay.name, replay]]) };
}
