import { loadConfigFile } from '../config/load.ts';
import { wire, type Wiring } from '../config/wiring.ts';
import type { Registry } from '../core/registry.ts';
import { nsToMs } from '../core/time.ts';
import { planPipeline } from '../align/plan-wiring.ts';
import { bufferCapacities } from '../pipeline/buffer-sizing.ts';
import { triggerText } from '../pipeline/status.ts';
import { planThreads } from '../pipeline/thread-plan.ts';

export interface Plan {
  sources: Record<string, { driver: string; kind: string; modality: string; nominalHz: number; bytesPerSample: number; bufferSamples: number; bufferBytes: number }>;
  pipelines: Record<
    string,
    {
      trigger: string;
      outputHz: number;
      inputs: Record<string, { source: string; policy: string; maxAgeMs: number; lengthMs?: number; expected: { fresh: number; held: number; missing: number }; warning?: string }>;
      worstCaseAddedLatencyMs: number;
      /** Longest time from the newest member's arrival to the set's emission. */
      alignWaitMs: number;
      /** Longest age of the oldest member at emission (includes transport latency and sweep length). */
      maxDataAgeMs: number;
    }
  >;
  bufferBytes: number;
  /** Inference threads and where they run on this machine (inference.cpus, preprocessThreads). */
  threads: { workers: number; ortThreads: number; preprocessThreads: number; cpus: { inference: number[]; rest: number[] } | null };
}

/**
 * Predicts what the pipelines will do by running the real alignment policies over the sources'
 * declared rates and latencies (src/align/plan.ts: several phase offsets of simulated stamps), and
 * sizes buffers with the runtime's own rule. Trigger-driven policies never wait (align wait 0).
 */
export function makePlan(w: Wiring): Plan {
  const t = planThreads(w.config.inference, w.pipelines.length);
  const threads = { workers: t.workers, ortThreads: t.ortThreads, preprocessThreads: t.preprocessThreads, cpus: t.cpus ? { inference: [...t.cpus.inference], rest: [...t.cpus.rest] } : null };
  const plan: Plan = { sources: {}, pipelines: {}, bufferBytes: 0, threads };
  const capacities = bufferCapacities(w);
  for (const [id, s] of w.sources) {
    const d = s.description;
    const n = capacities.get(id) ?? 4;
    plan.sources[id] = { driver: s.driver.name, kind: d.kind, modality: d.modality, nominalHz: d.nominalHz, bytesPerSample: d.bytesPerSample, bufferSamples: n, bufferBytes: n * d.bytesPerSample };
    plan.bufferBytes += n * d.bytesPerSample;
  }
  const r2 = (x: number): number => Math.round(x * 100) / 100;
  for (const p of w.pipelines) {
    const pred = planPipeline(p, w.sources, { bufferCapacity: (id) => capacities.get(id) });
    const inputs: Plan['pipelines'][string]['inputs'] = {};
    for (const i of p.inputs) {
      const got = pred.inputs[i.modality];
      const expected = { fresh: r2(got?.fresh ?? 0), held: r2(got?.held ?? 0), missing: r2(got?.missing ?? 0) };
      const maxAgeMs = nsToMs(i.policy === 'latest' || i.policy === 'window' ? i.maxAgeNs : i.deadlineNs);
      const d = w.sources.get(i.sourceId)?.description;
      const warning =
        expected.missing > 0.01
          ? `expect "missing" in ~${Math.round(expected.missing * 100)} % of sets: maxAge ${maxAgeMs} ms is shorter than latency + period of ${i.sourceId} (${r2((d?.latencyNs ? nsToMs(d.latencyNs) : 0) + 1000 / (d?.nominalHz ?? 1))} ms)`
          : undefined;
      inputs[i.modality] = {
        source: i.sourceId,
        policy: i.policy,
        maxAgeMs,
        ...(i.policy === 'window' ? { lengthMs: nsToMs(i.lengthNs) } : {}),
        expected,
        ...(warning ? { warning } : {}),
      };
    }
    plan.pipelines[p.name] = {
      trigger: triggerText(p),
      outputHz: r2(pred.outputHz),
      inputs,
      alignWaitMs: r2(pred.alignWaitMs.max),
      maxDataAgeMs: r2(pred.maxDataAgeMs),
      worstCaseAddedLatencyMs: r2(pred.worstCaseAddedLatencyMs),
    };
  }
  return plan;
}

export async function planCommand(configPath: string, opts: { json: boolean }, registry: Registry): Promise<number> {
  const loaded = loadConfigFile(configPath);
  const plan = makePlan(await wire(loaded.config, registry, loaded.dir));
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
    return 0;
  }
  const out: string[] = [`plan for ${loaded.path}`, '', 'sources'];
  for (const [id, s] of Object.entries(plan.sources)) {
    out.push(`  ${id.padEnd(10)} ${s.driver.padEnd(14)} ${s.modality.padEnd(7)} ${String(s.nominalHz).padStart(6)} Hz  ${(s.bytesPerSample / 1024).toFixed(1).padStart(8)} KiB/sample  buffer ${s.bufferSamples} (${(s.bufferBytes / 1048576).toFixed(1)} MiB)`);
  }
  for (const [name, p] of Object.entries(plan.pipelines)) {
    out.push('', `pipeline ${name}: trigger ${p.trigger} → ${p.outputHz} results/s (predicted by the real policies over the declared rates)`);
    for (const [mod, i] of Object.entries(p.inputs)) {
      out.push(`  ${mod.padEnd(7)} ← ${i.source.padEnd(8)} ${i.policy.padEnd(7)} ${i.policy === 'exact' || i.policy === 'approximate' ? 'deadline' : 'maxAge'} ${i.maxAgeMs} ms${i.lengthMs ? `, length ${i.lengthMs} ms` : ''}  expect fresh ${i.expected.fresh} held ${i.expected.held} missing ${i.expected.missing}`);
      if (i.warning) out.push(`          ! ${i.warning}`);
    }
    out.push(`  worst-case added latency (alignment, from a sample's arrival to its fusion): ${p.worstCaseAddedLatencyMs} ms, plus inference`);
    out.push(`  oldest data fused: ${p.maxDataAgeMs} ms after its time of validity; a set leaves ≤ ${p.alignWaitMs} ms after its newest member arrives`);
  }
  out.push('', `buffer memory: ${(plan.bufferBytes / 1048576).toFixed(1)} MiB`);
  const t = plan.threads;
  const where = t.cpus
    ? `pinned: inference on CPU ${t.cpus.inference.join(',')}, ${t.cpus.rest.length ? `the main thread and the rest on CPU ${t.cpus.rest.join(',')}` : 'the rest unpinned'}`
    : 'not pinned (inference.cpus: none)';
  out.push(`threads: ${t.workers} inference worker(s) × ${t.ortThreads} ORT thread(s), ${t.preprocessThreads} preprocessing helper(s) each; ${where}`);
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}
