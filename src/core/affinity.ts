import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { promisify } from 'node:util';
import { ConfigError } from './errors.ts';

/**
 * CPU affinity for a dedicated device: the inference workers get CPUs of their own and the main
 * thread (device I/O, alignment, MQTT) the others. Unpinned on 2 vCPUs, worker and helper together
 * spent about 2 ms of each ~4 ms set runnable but waiting for a CPU, often the one the main thread
 * had just woken on (bench:pipeline, cpuMsPerSet). On 2 vCPUs pinning buys no throughput (no helper
 * is left); it is meant for 4+ cores. Node's other threads (V8's concurrent GC and compiler, libuv's
 * pool) go with the main thread at the workers' niceness: left free they still cost the worker
 * 0.2–0.35 ms per set, and confined at full priority they raised the event-loop delay p99 from ~4
 * to ~5.5 ms; lowered, the main thread runs first and they use its CPU's idle time.
 *
 * Linux only. Node has no affinity call, so this runs util-linux's `taskset` on thread ids, once per
 * thread at start; threads made later inherit their creator's mask (ORT's from the worker).
 */

export type CpusSetting = 'none' | 'auto' | readonly number[];

export interface CpuPlan {
  /** The inference workers (and the ORT threads they make). */
  readonly inference: readonly number[];
  /** The main thread, Node's other threads and the preprocessing helpers; empty = leave them be. */
  readonly rest: readonly number[];
}

/** "0-3,6" → [0, 1, 2, 3, 6]. */
export function parseCpuList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.trim().split(',')) {
    if (!part) continue;
    const [a, b] = part.split('-').map(Number);
    if (a === undefined || !Number.isInteger(a) || (b !== undefined && !Number.isInteger(b))) throw new Error(`not a CPU list: ${JSON.stringify(text)}`);
    for (let c = a; c <= (b ?? a); c++) out.push(c);
  }
  return out;
}

/** The CPUs this process may run on (cgroup cpusets and taskset included), or undefined off Linux. */
export function allowedCpus(status = '/proc/self/status'): number[] | undefined {
  try {
    const line = readFileSync(status, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Cpus_allowed_list:'));
    return line ? parseCpuList(line.slice(line.indexOf(':') + 1)) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Which CPUs go to inference. `auto`: the last `wanted` allowed CPUs (ORT threads summed over the
 * pipelines), always leaving at least one to the rest; nothing on a single CPU. A list must name
 * allowed CPUs (a ConfigError names `inference.cpus` otherwise); if it takes them all, only the
 * workers are pinned.
 */
export function planCpus(setting: CpusSetting, allowed: readonly number[] | undefined, wanted: number): CpuPlan | undefined {
  if (setting === 'none' || !allowed || allowed.length === 0) return undefined;
  if (setting === 'auto') {
    if (allowed.length < 2) return undefined;
    const k = Math.min(allowed.length - 1, Math.max(1, wanted));
    return { inference: allowed.slice(-k), rest: allowed.slice(0, -k) };
  }
  const bad = setting.filter((c) => !allowed.includes(c));
  if (bad.length) throw new ConfigError('inference.cpus', `CPU ${bad.join(', ')} not available to this process (allowed: ${allowed.join(', ')})`);
  const inference = [...new Set(setting)].sort((a, b) => a - b);
  return { inference, rest: allowed.filter((c) => !inference.includes(c)) };
}

/** The kernel's id of the calling thread (main or worker), from /proc/thread-self. */
export function currentTid(): number | undefined {
  try {
    return Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return undefined;
  }
}

/** Pins the calling thread (synchronous: for a worker before it loads anything). */
export function pinCurrentThread(cpus: readonly number[]): void {
  const tid = currentTid();
  if (tid === undefined || !Number.isInteger(tid)) throw new Error('no /proc/thread-self: CPU affinity needs Linux');
  execFileSync('taskset', ['-p', '-c', cpus.join(','), String(tid)], { stdio: 'ignore' });
}

/**
 * Pins every thread the process has now to `cpus`: the main thread (its id is the process id) as it
 * is, the others (V8's, libuv's) also lowered to `nice`. Threads started later inherit the main
 * thread's mask. Throws if taskset cannot run (ENOENT); a thread that ended meanwhile is skipped.
 */
export async function pinProcessThreads(cpus: readonly number[], nice: number): Promise<void> {
  const run = promisify(execFile);
  const list = cpus.join(',');
  await run('taskset', ['-p', '-c', list, String(process.pid)]);
  const others = readdirSync('/proc/self/task').filter((tid) => tid !== String(process.pid));
  await Promise.all(
    others.map(async (tid) => {
      try {
        await run('taskset', ['-p', '-c', list, tid]);
        if (nice) setPriority(Number(tid), nice); // per thread on Linux
      } catch {
        /* ended meanwhile, or not permitted: stays as it was */
      }
    }),
  );
}
