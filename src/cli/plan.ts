import { loadConfigFile } from '../config/load.ts';
import { wire, type Wiring } from '../config/wiring.ts';
import type { Registry } from '../core/registry.ts';
import { nsToMs } from '../core/time.ts';
import { bufferCapacities } from '../pipeline/buffer-sizing.ts';

export interface Plan {
  sources: Record<string, { driver: string; kind: string; modality: string; nominalHz: number; bytesPerSample: number; bufferSamples: number; bufferBytes: number }>;
  pipelines: Record<
    string,
    {
      trigger: string;
      outputHz: number;
      inputs: Record<string, { source: string; policy: string; maxAgeMs: number; lengthMs?: number; expected: { fresh: number; held: number; missing: number }; warning?: string }>;
      worstCaseAddedLatencyMs: number;
      alignWaitMs: number;
    }
  >;
  bufferBytes: number;
}


/**
 * Predicts what the pipelines will do from the declared rates and policies. Trigger-driven
 * policies never wait (align wait 0); a member is at most `maxAge` old when used, and an event
 * can wait up to one trigger period for the next fusion.
 */
export function makePlan(w: Wiring): Plan {
  const plan: Plan = { sources: {}, pipelines: {}, bufferBytes: 0 };
  const capacities = bufferCapacities(w);
  for (const [id, s] of w.sources) {
    const d = s.description;
    const n = capacities.get(id) ?? 4;
    plan.sources[id] = { driver: s.driver.name, kind: d.kind, modality: d.modality, nominalHz: d.nominalHz, bytesPerSample: d.bytesPerSample, bufferSamples: n, bufferBytes: n * d.bytesPerSample };
    plan.bufferBytes += n * d.bytesPerSample;
  }
  for (const p of w.pipelines) {
    const periodMs = 'everyNs' in p.trigger ? nsToMs(p.trigger.everyNs) : 1000 / (w.sources.get(p.trigger.on)?.description.nominalHz ?? 1);
    const outputHz = 1000 / periodMs;
    const inputs: Plan['pipelines'][string]['inputs'] = {};
    let worst = 0;
    for (const i of p.inputs) {
      const d = w.sources.get(i.sourceId)?.description;
      const maxAgeMs = nsToMs(i.maxAgeNs);
      const srcPeriodMs = d ? 1000 / d.nominalHz : Infinity;
      const latencyMs = d?.latencyNs ? nsToMs(d.latencyNs) : 0;
      // A sample's age at a trigger is uniform in [latency, latency + period] (latest policy).
      const missing = Math.min(1, Math.max(0, (latencyMs + srcPeriodMs - maxAgeMs) / srcPeriodMs));
      const fresh = Math.min(1 - missing, d ? d.nominalHz / outputHz : 0);
      const held = Math.max(0, 1 - missing - fresh);
      const r2 = (x: number): number => Math.round(x * 100) / 100;
      let warning: string | undefined;
      if (missing > 0.01) warning = `maxAge ${maxAgeMs} ms < latency + period (${r2(latencyMs + srcPeriodMs)} ms): expect "missing" in ~${Math.round(missing * 100)} % of sets`;
      inputs[i.modality] = {
        source: i.sourceId,
        policy: i.policy,
        maxAgeMs,
        ...(i.policy === 'window' ? { lengthMs: nsToMs(i.lengthNs) } : {}),
        expected: { fresh: r2(fresh), held: r2(held), missing: r2(missing) },
        ...(warning ? { warning } : {}),
      };
      worst = Math.max(worst, Math.min(maxAgeMs, latencyMs + srcPeriodMs));
    }
    plan.pipelines[p.name] = {
      trigger: 'everyNs' in p.trigger ? `every ${periodMs} ms` : `on ${p.trigger.on}`,
      outputHz: Math.round(outputHz * 100) / 100,
      inputs,
      alignWaitMs: 0,
      worstCaseAddedLatencyMs: Math.round((worst + periodMs) * 100) / 100,
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
    out.push('', `pipeline ${name}: trigger ${p.trigger} → ${p.outputHz} results/s; align never waits (${p.alignWaitMs} ms)`);
    for (const [mod, i] of Object.entries(p.inputs)) {
      out.push(`  ${mod.padEnd(7)} ← ${i.source.padEnd(8)} ${i.policy.padEnd(7)} maxAge ${i.maxAgeMs} ms${i.lengthMs ? `, length ${i.lengthMs} ms` : ''}  expect fresh ${i.expected.fresh} held ${i.expected.held} missing ${i.expected.missing}`);
      if (i.warning) out.push(`          ! ${i.warning}`);
    }
    out.push(`  worst-case added latency (data age + wait for the next trigger): ${p.worstCaseAddedLatencyMs} ms, plus inference`);
  }
  out.push('', `buffer memory: ${(plan.bufferBytes / 1048576).toFixed(1)} MiB`);
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}
