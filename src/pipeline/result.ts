import type { AlignedSet, MemberState } from '../align/types.ts';
import type { StageTimes } from '../inference/protocol.ts';
import type { ModelInfo } from '../inference/inference-client.ts';
import type { ResultPayload } from '../publish/payload-schema.ts';
import { nsToIso, nsToMs } from '../core/time.ts';

export interface ResultInput {
  seq: number;
  device: string;
  pipeline: string;
  set: AlignedSet;
  probs: Float32Array;
  /** What the head saw (1/0), in `model.modalities` order. */
  used: Float32Array;
  model: ModelInfo;
  stageMs?: StageTimes & { align: number; handoff: number; publish: number; total: number };
  drops: ResultPayload['lineage']['drops'];
}

const round = (x: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/**
 * Builds the result payload of contract v1. Pure: the same set and probabilities give the same
 * bytes (deterministic replay compares these), except `stageMs`, which is wall-clock and left out
 * when not given.
 */
export function buildResult(r: ResultInput): ResultPayload {
  let best = 0;
  for (let i = 1; i < r.probs.length; i++) if ((r.probs[i] as number) > (r.probs[best] as number)) best = i;
  const probs: Record<string, number> = {};
  r.model.labels.forEach((label, i) => {
    probs[label] = round(r.probs[i] ?? 0, 6);
  });
  const mask: Record<string, MemberState> = {};
  const sources: ResultPayload['lineage']['sources'] = {};
  r.model.modalities.forEach((mod, i) => {
    const m = r.set.members[mod];
    // The head's view wins: a held frame whose embedding was lost (worker restart) was fed as missing.
    const state: MemberState = m && m.state !== 'missing' && r.used[i] === 0 ? 'missing' : (m?.state ?? 'missing');
    mask[mod] = state;
    if (!m) return;
    const tv = m.sample ? (m.sample.tEnd ?? m.sample.t) : undefined;
    sources[m.sourceId] = {
      modality: mod,
      state,
      ...(tv !== undefined ? { t_ns: tv.toString() } : {}),
      ...(m.ageNs !== undefined ? { ageMs: round(nsToMs(m.ageNs), 3) } : {}),
      ...(m.reason ? { reason: m.reason } : {}),
      ...(m.gaps ? { gaps: m.gaps } : {}),
    };
  });
  return {
    v: 1,
    seq: r.seq,
    ts: nsToIso(r.set.t),
    t_ns: r.set.t.toString(),
    device: r.device,
    pipeline: r.pipeline,
    label: r.model.labels[best] ?? String(best),
    score: round(r.probs[best] ?? 0, 6),
    probs,
    mask,
    lineage: {
      sources,
      skewMs: round(nsToMs(r.set.skewNs), 3),
      ...(r.stageMs
        ? {
            stageMs: {
              align: round(r.stageMs.align, 3),
              handoff: round(r.stageMs.handoff, 3),
              queue: round(r.stageMs.queue, 3),
              preprocess: round(r.stageMs.preprocess, 3),
              encode: round(r.stageMs.encode, 3),
              fuse: round(r.stageMs.fuse, 3),
              publish: round(r.stageMs.publish, 3),
              total: round(r.stageMs.total, 3),
            },
          }
        : {}),
      drops: r.drops,
    },
    model: { name: r.model.name, version: r.model.version, head: r.model.head, precision: r.model.precision },
  };
}
