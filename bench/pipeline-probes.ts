import { Worker } from 'node:worker_threads';
import { createHistogram, performance, type RecordableHistogram } from 'node:perf_hooks';

/** Helpers of bench:pipeline: an event-loop delay sampler that can pause, and the hand-off floor. */

// ---- event-loop delay, only while the pipeline runs ------------------------------------------------
export interface LagSampler {
  enable(): void;
  disable(): void;
  percentile(p: number): number;
  readonly max: number;
}

/**
 * Event-loop delay like monitorEventLoopDelay (a 1 ms timer, how late it fires), but into a
 * histogram that can pause: the bare rounds in between block this thread on purpose and must not
 * count.
 */
export function lagSampler(): LagSampler {
  const h: RecordableHistogram = createHistogram();
  let timer: NodeJS.Timeout | undefined;
  let due = 0;
  const tick = (): void => {
    const now = performance.now();
    h.record(Math.max(1, Math.round((now - due) * 1e6)));
    due = now + 1;
    timer = setTimeout(tick, 1);
  };
  return {
    enable() {
      due = performance.now() + 1;
      timer = setTimeout(tick, 1);
    },
    disable() {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
    percentile: (p) => h.percentile(p),
    get max() {
      return h.max;
    },
  };
}

// ---- the floor: what one thread hand-off each way costs on this machine ------------------------------
/**
 * A worker that busy-waits `ms` per message and replies: the same two hand-offs as a fusion
 * (main → worker → main) with no runtime around them. Measured interleaved with the latency sets,
 * so both see the same machine; on a VM an idle vCPU's wake-up alone can take milliseconds.
 */
export async function createFloor(): Promise<{ ping(ms: number): Promise<number>; stop(): Promise<number> }> {
  const w = new Worker(
    `const { parentPort } = require('node:worker_threads');
     const { performance } = require('node:perf_hooks');
     parentPort.on('message', (ms) => {
       const t0 = performance.now();
       while (performance.now() - t0 < ms);
       parentPort.postMessage(performance.now() - t0);
     });`,
    { eval: true },
  );
  await new Promise((r) => setTimeout(r, 50));
  return {
    ping: (ms) =>
      new Promise((resolve) => {
        const t0 = performance.now();
        w.once('message', (busy: number) => resolve(performance.now() - t0 - busy));
        w.postMessage(ms);
      }),
    stop: () => w.terminate(),
  };
}
