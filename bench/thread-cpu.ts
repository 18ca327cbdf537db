import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { setPriority } from 'node:os';
import { allowedCpus } from '../src/core/affinity.ts';

/**
 * CPU time per thread of this process, from Linux's /proc/self/task/<tid>/schedstat: time on a
 * CPU and time runnable but waiting for one (ns). Wall-clock ratios on a shared VM swing with the
 * neighbours; CPU time per set says whether the pipeline does more work than the bare loop, and
 * run-queue wait says how much of the rest was the threads competing for two vCPUs.
 */
export interface ThreadTimes {
  readonly tid: number;
  readonly runMs: number;
  readonly waitMs: number;
}

export function threadTimes(): Map<number, ThreadTimes> {
  const out = new Map<number, ThreadTimes>();
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return out; // not Linux
  }
  for (const t of tids) {
    try {
      const [run, wait] = readFileSync(`/proc/self/task/${t}/schedstat`, 'utf8').split(' ').map(Number);
      out.set(Number(t), { tid: Number(t), runMs: (run ?? 0) / 1e6, waitMs: (wait ?? 0) / 1e6 });
    } catch {
      /* the thread ended between the listing and the read */
    }
  }
  return out;
}

/** Accumulates per-group CPU over measured intervals; a thread's group is decided by `group`. */
export class CpuAccount {
  readonly #sum = new Map<string, { runMs: number; waitMs: number }>();
  constructor(private readonly group: (tid: number) => string) {}

  async measure<T>(f: () => Promise<T>): Promise<T> {
    const before = threadTimes();
    const v = await f();
    for (const [tid, after] of threadTimes()) {
      const b = before.get(tid) ?? { runMs: 0, waitMs: 0 };
      const g = this.group(tid);
      const s = this.#sum.get(g) ?? { runMs: 0, waitMs: 0 };
      s.runMs += after.runMs - b.runMs;
      s.waitMs += after.waitMs - b.waitMs;
      this.#sum.set(g, s);
    }
    return v;
  }

  /** ms per set for each group, run and wait. */
  perSet(sets: number): Record<string, { run: number; wait: number }> {
    const r3 = (x: number): number => Math.round((x / sets) * 1000) / 1000;
    return Object.fromEntries([...this.#sum].map(([g, s]) => [g, { run: r3(s.runMs), wait: r3(s.waitMs) }]));
  }
}

/**
 * Moves threads of this process to `cpus` at niceness `nice` (util-linux taskset, per thread).
 * The bench gives the bare loop the whole machine, as a plain process has it, and gives the
 * pipeline's rounds back the placement its runtime chose (inference.cpus).
 */
export function placeThreads(tids: Iterable<number>, cpus: readonly number[], nice: number): void {
  const want = cpus.join(',');
  for (const tid of tids) {
    try {
      // One taskset process per thread took ~0.5 s per call between rounds: only where it changes.
      const now = threadPlacement(tid);
      if (now.cpus?.join(',') !== want) execFileSync('taskset', ['-p', '-c', want, String(tid)], { stdio: 'ignore' });
      if (now.nice !== nice) setPriority(tid, nice);
    } catch {
      /* ended meanwhile */
    }
  }
}

/** Where a thread of this process runs now: its CPUs and niceness (undefined fields if it ended). */
export function threadPlacement(tid: number): { cpus?: number[]; nice: number } {
  const cpus = allowedCpus(`/proc/self/task/${tid}/status`);
  let nice = 0;
  try {
    nice = Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]?.split(' ')[16] ?? 0);
  } catch {
    /* ended */
  }
  return { ...(cpus ? { cpus } : {}), nice };
}

/**
 * Share of CPU time the hypervisor gave to others while `f` ran (the "steal" column of /proc/stat,
 * in clock ticks): 0 on bare metal, and on a shared VM the noise no same-run ratio can cancel.
 */
export async function withSteal<T>(f: () => Promise<T>): Promise<{ value: T; stealPct: number | undefined }> {
  const read = (): number[] | undefined => {
    try {
      const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number);
      return cpu && cpu.length >= 8 ? cpu : undefined;
    } catch {
      return undefined;
    }
  };
  const a = read();
  const value = await f();
  const b = read();
  if (!a || !b) return { value, stealPct: undefined };
  const d = b.map((x, i) => x - (a[i] ?? 0));
  // user nice system idle iowait irq softirq steal (guest time is already inside user)
  const total = d.slice(0, 8).reduce((x, y) => x + y, 0);
  return { value, stealPct: total > 0 ? Math.round(((d[7] ?? 0) / total) * 1000) / 10 : undefined };
}
