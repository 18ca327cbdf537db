import type { WiredInput, Wiring } from '../config/wiring.ts';
import { nsToS } from '../core/time.ts';

/**
 * How many samples each source buffer must hold for the policies that read it: a `latest` input
 * needs what arrives within its maxAge (+2 for the newest and reordering slack), a `window` input
 * its window plus one maxAge (+4 chunks of slack). At least 4; a source nobody reads keeps 4.
 * Memory is then capacity × bytes per sample — the runtime and `sensorium plan` use the same rule.
 */
export function bufferCapacity(nominalHz: number, inputs: readonly WiredInput[]): number {
  let need = 4;
  for (const i of inputs) {
    // exact/approximate keep their own per-source queues; a deadline's worth is what they can use.
    const span = i.policy === 'window' ? nsToS(i.lengthNs) + nsToS(i.maxAgeNs) : i.policy === 'latest' ? nsToS(i.maxAgeNs) : nsToS(i.deadlineNs);
    need = Math.max(need, Math.ceil(span * nominalHz) + (i.policy === 'window' ? 4 : 2));
  }
  return need;
}

/** Capacity per source id for a whole wiring. */
export function bufferCapacities(w: Wiring): Map<string, number> {
  const out = new Map<string, number>();
  for (const [id, s] of w.sources) {
    const inputs = w.pipelines.flatMap((p) => p.inputs.filter((i) => i.sourceId === id));
    out.set(id, bufferCapacity(s.description.nominalHz, inputs));
  }
  return out;
}
