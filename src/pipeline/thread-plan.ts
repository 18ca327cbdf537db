import { availableParallelism } from 'node:os';
import type { Config } from '../config/schema.ts';
import { allowedCpus, planCpus, type CpuPlan } from '../core/affinity.ts';

/** How many threads the runtime starts for inference, and where they may run. */
export interface ThreadPlan {
  /** One inference worker per pipeline, each with `ortThreads` intra-op threads per session. */
  readonly workers: number;
  readonly ortThreads: number;
  /** Preprocessing helpers per worker. */
  readonly preprocessThreads: number;
  /** CPU pinning (`inference.cpus`), undefined when the scheduler decides. */
  readonly cpus: CpuPlan | undefined;
}

/**
 * The one place the runtime and `sensorium plan` decide threads. preprocessThreads auto: a helper
 * when at least two CPUs are left to the rest of the process (one for the main thread); on 2 cores
 * with inference pinned it only competed with the worker. A listed CPU the process may not use is a
 * ConfigError naming `inference.cpus`.
 */
export function planThreads(inference: Config['inference'], pipelines: number, allowed: readonly number[] | undefined = allowedCpus()): ThreadPlan {
  const cpus = planCpus(inference.cpus, allowed, inference.threads * pipelines);
  const left = cpus ? cpus.rest.length : (allowed?.length ?? availableParallelism());
  return {
    workers: pipelines,
    ortThreads: inference.threads,
    preprocessThreads: inference.preprocessThreads === 'auto' ? (left >= 2 ? 1 : 0) : inference.preprocessThreads,
    cpus,
  };
}
