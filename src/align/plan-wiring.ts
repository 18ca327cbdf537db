import type { SourceDescription } from '../core/device.ts';
import type { Modality } from '../core/sample.ts';
import type { InputSpec, PolicyName } from './create.ts';
import { predictPlan, type PlanOptions, type PlanPrediction, type PlanSource } from './plan.ts';

/**
 * The shape of a wired pipeline as `src/config/wiring.ts` produces it (structural: align does not
 * import config), so `sensorium plan` can ask the real policies: `planPipeline(p, w.sources)`.
 */
export interface WiredPipelineLike {
  trigger?: { everyNs: bigint } | { on: string };
  inputs: readonly { modality: Modality; sourceId: string; policy: PolicyName; maxAgeNs?: bigint; lengthNs?: bigint; samples?: number; deadlineNs?: bigint; maxLatencyNs?: bigint }[];
  maxIntervalNs?: bigint;
}

/**
 * Buffer samples a source needs for the inputs that read it — the rule of
 * `src/pipeline/buffer-sizing.ts` (latest: maxAge of arrivals + 2; window: length + maxAge + 4
 * chunks; at least 4). Pass the runtime's own capacities as `options.bufferCapacity` to be exact.
 */
function defaultCapacity(hz: number, inputs: WiredPipelineLike['inputs']): number {
  let need = 4;
  for (const i of inputs) {
    const span = Number((i.policy === 'window' ? (i.lengthNs ?? 0n) : 0n) + (i.maxAgeNs ?? 0n)) / 1e9;
    need = Math.max(need, Math.ceil(span * hz) + (i.policy === 'window' ? 4 : 2));
  }
  return need;
}

export function planPipeline(
  p: WiredPipelineLike,
  sources: ReadonlyMap<string, { description: SourceDescription }>,
  options: PlanOptions & { bufferCapacity?: (sourceId: string) => number | undefined } = {},
): PlanPrediction {
  const described = new Map<string, PlanSource>();
  for (const [id, s] of sources) {
    const d = s.description;
    described.set(id, {
      nominalHz: d.nominalHz,
      bytesPerSample: d.bytesPerSample,
      ...(d.latencyNs !== undefined ? { latencyNs: d.latencyNs } : {}),
      kind: d.kind,
      ...(d.samplesPerChunk !== undefined ? { samplesPerChunk: d.samplesPerChunk } : {}),
      ...(d.rateHz !== undefined ? { rateHz: d.rateHz } : {}),
      ...(d.channels !== undefined ? { channels: d.channels } : {}),
    });
  }
  const inputs: InputSpec[] = p.inputs.map((i) => ({ ...i }));
  return predictPlan(
    {
      inputs,
      ...(p.trigger ? { trigger: p.trigger } : {}),
      ...(p.maxIntervalNs !== undefined ? { maxIntervalNs: p.maxIntervalNs } : {}),
      bufferCapacity: (id) =>
        options.bufferCapacity?.(id) ??
        defaultCapacity(
          described.get(id)?.nominalHz ?? 1,
          p.inputs.filter((i) => i.sourceId === id),
        ),
    },
    described,
    options,
  );
}
