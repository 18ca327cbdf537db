import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { Registry } from '../../../src/core/registry.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import type { Speed } from '../../../src/record/pacer.ts';
import { replayLog } from '../../../src/record/replay-run.ts';
import type { ReplaySummary } from '../../../src/record/replay-summary.ts';
import { replayRegistry } from './replay-registry.ts';

export interface ReplayOutput {
  jsonl: string;
  summary: ReplaySummary;
}

/** Replays `log` and returns the results as JSON lines (exactly what `replay --out` writes). */
export async function replayToJsonl(log: string, o: { speed?: Speed; registry?: Registry } = {}): Promise<ReplayOutput> {
  let jsonl = '';
  const summary = await replayLog({ log, registry: o.registry ?? replayRegistry(), speed: o.speed ?? 'max', logger: silentLogger, onResult: (r) => (jsonl += `${JSON.stringify(r)}\n`) });
  return { jsonl, summary };
}

/**
 * Replays `log` and checks its results against `golden` (JSON lines). Identical bytes pass at once;
 * otherwise (another machine's onnxruntime kernels) every field must still match exactly except
 * `probs` and `score`, within the tolerance stored next to the golden file
 * (`<name>.golden.tolerance.json`), and `label` where the golden's top two are that close.
 */
export async function assertReplayEquals(log: string, golden: string, o: { speed?: Speed; registry?: Registry } = {}): Promise<ReplayOutput> {
  const out = await replayToJsonl(log, o);
  const want = readFileSync(golden, 'utf8');
  if (out.jsonl === want) return out;
  const { probsAtol } = JSON.parse(readFileSync(golden.replace(/\.jsonl$/, '.tolerance.json'), 'utf8')) as { probsAtol: number };
  const got = out.jsonl.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const exp = want.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(got.length, 'number of results').toBe(exp.length);
  exp.forEach((e, i) => {
    const g = got[i] as Record<string, unknown>;
    const { probs: gp, score: gs, label: gl, ...gRest } = g as { probs: Record<string, number>; score: number; label: string };
    const { probs: ep, score: es, label: el, ...eRest } = e as { probs: Record<string, number>; score: number; label: string };
    expect(gRest, `result ${i}: fields other than probs/score/label`).toEqual(eRest);
    expect(Object.keys(gp).sort(), `result ${i}: labels`).toEqual(Object.keys(ep).sort());
    for (const [k, v] of Object.entries(ep)) expect(Math.abs((gp[k] as number) - v), `result ${i}: probs.${k}`).toBeLessThanOrEqual(probsAtol);
    expect(Math.abs(gs - es), `result ${i}: score`).toBeLessThanOrEqual(probsAtol);
    const [first, second] = Object.values(ep).sort((a, b) => b - a);
    if ((first ?? 0) - (second ?? 0) > 2 * probsAtol) expect(gl, `result ${i}: label`).toBe(el);
  });
  return out;
}
