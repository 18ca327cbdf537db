import { AsyncQueue } from '../src/core/async-queue.ts';
import type { DeviceAdapter, DeviceDriver, SourceDescription } from '../src/core/device.ts';
import type { AnySample } from '../src/core/sample.ts';

/**
 * A source that replays samples the bench pushes in (pre-rendered simulator frames), so the
 * measurement is the pipeline, not the renderer. One driver instance per source id.
 */
export class MemorySource {
  readonly queue = new AsyncQueue<AnySample>(1 << 16);
  readonly driver: DeviceDriver<Record<string, never>>;

  constructor(name: string, description: SourceDescription) {
    const queue = this.queue;
    this.driver = {
      name,
      parseOptions: () => ({}),
      describe: () => description,
      list: async () => ({ devices: [], problems: [] }),
      open: async (_o, ctx): Promise<DeviceAdapter> => {
        let n = 0;
        return {
          sourceId: ctx.sourceId,
          samples: async function* () {
            for await (const s of queue) {
              n++;
              yield s;
            }
          },
          stats: () => ({ samples: n, dropped: 0, badBytes: 0, reconnects: 0 }),
          close: async () => queue.close(),
        };
      },
    };
  }
}
