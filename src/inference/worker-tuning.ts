import { setPriority } from 'node:os';
import { pinCurrentThread } from '../core/affinity.ts';
import type { AnySample, Modality } from '../core/sample.ts';
import type { ModelSet } from './model-set.ts';

type Preprocess = (payload: AnySample['payload']) => Float32Array;

/** What the inference worker loads from `Registry.preprocessModule`. */
export interface PreprocessModule {
  createPreprocessor(spec: { op: string; [k: string]: unknown }): Preprocess;
  /** A plausible input for the spec, to warm the models up with (optional). */
  warmUpPayload?(spec: unknown): AnySample['payload'];
}

/** What handing a frame to a helper and back costs (ms): cheaper frames stay with the worker. */
const HANDOFF_MS = 0.3;

/** Recent preprocess and encode time per modality (ms, moving average), to split sets between threads. */
export class StageCosts {
  readonly #cost = new Map<Modality, { pre?: number; enc?: number }>();

  learn(m: Modality, stage: 'pre' | 'enc', ms: number): void {
    const c = this.#cost.get(m) ?? {};
    const was = c[stage];
    c[stage] = was === undefined ? ms : was + (ms - was) * 0.2;
    this.#cost.set(m, c);
  }

  /**
   * Which frames a helper preprocesses: greedy, costliest first, so that the helper's share (plus
   * a hand-off) and the worker's own (preprocess + encode) come out even; the costliest frame stays
   * with the worker, which encodes it anyway. `withHelper`: frames of the same set the helper already
   * has (prepared while the previous set ran) — their preprocessing is on the helper's side, their
   * encoding on the worker's. Unknown costs count 1 ms (preprocess), 0.2 ms (encode).
   */
  split(todo: readonly Modality[], withHelper: readonly Modality[] = []): Set<Modality> {
    const out = new Set<Modality>();
    if (todo.length + withHelper.length < 2) return out;
    const est = (m: Modality): { pre: number; enc: number } => ({ pre: this.#cost.get(m)?.pre ?? 1, enc: this.#cost.get(m)?.enc ?? 0.2 });
    let local = 0;
    let remote = HANDOFF_MS;
    for (const m of withHelper) {
      remote += est(m).pre;
      local += est(m).enc;
    }
    for (const m of [...todo].sort((a, b) => est(b).pre - est(a).pre)) {
      const c = est(m);
      if (c.pre > HANDOFF_MS && remote + c.pre < local + c.pre + c.enc) {
        remote += c.pre;
        out.add(m);
      } else local += c.pre + c.enc;
    }
    return out;
  }
}

/** Rounds on plausible inputs: enough for V8 to optimise the preprocessors. */
const WARM_UP_ROUNDS = 5;

/**
 * Runs every preprocessor, encoder and the head a few times on plausible inputs before the worker
 * reports ready: the first real result then costs what the hundredth does (~160 ms instead of ~6
 * in the demo: JIT compilation and ORT's first-run allocations). Nothing is cached from it.
 */
export async function warmUp(models: ModelSet, pre: Map<Modality, Preprocess>, mod: PreprocessModule): Promise<void> {
  if (!mod.warmUpPayload) return;
  const embs: Partial<Record<Modality, Float32Array>> = {};
  for (const m of models.modalities) embs[m] = new Float32Array(models.embeddingDim);
  try {
    for (let round = 0; round < WARM_UP_ROUNDS; round++) {
      for (const m of models.modalities) {
        const spec = models.manifest.encoders[m]?.preprocess;
        const fn = pre.get(m);
        // Cloned: frames arrive deserialised, and objects built by the deserialiser have other hidden
        // classes than literals.
        if (spec && fn) embs[m] = await models.encode(m, fn(structuredClone(mod.warmUpPayload(spec))));
      }
      await models.fuse(embs, new Float32Array(models.modalities.length).fill(1));
    }
  } catch {
    // Best effort: a model set whose preprocessing wants something else simply starts cold.
  }
}

/** Warms one preprocessor alone (a helper thread has no encoders), best effort. */
export function warmPreprocessor(fn: Preprocess, spec: unknown, mod: PreprocessModule): void {
  try {
    for (let i = 0; i < WARM_UP_ROUNDS && mod.warmUpPayload; i++) fn(structuredClone(mod.warmUpPayload(spec)));
  } catch {
    /* best effort */
  }
}

/** Pins the calling thread to `cpus`; without taskset or /proc it simply stays unpinned. */
export function tryPin(cpus: readonly number[]): void {
  try {
    pinCurrentThread(cpus);
  } catch {
    /* unpinned: correct, only less isolated */
  }
}

/**
 * os.setPriority(0, …) reaches setpriority(PRIO_PROCESS, 0) — on Linux that is this thread alone.
 * Under contention the main thread then wins the CPU: a busy worker cannot delay serial reads,
 * alignment or MQTT keepalives. Refused (e.g. by a container's seccomp): run at normal priority.
 */
export function lowerPriority(nice: number): void {
  try {
    setPriority(0, nice);
  } catch {
    /* not permitted here; inference simply runs at the main thread's priority */
  }
}
