import { randomUUID } from 'node:crypto';
import type { WiredPipeline } from '../config/wiring.ts';
import { nsToIso, nsToMs, type TimestampNs } from '../core/time.ts';
import type { ModelInfo } from '../inference/inference-client.ts';
import type { EventPayload, HealthPayload, StatusPayload } from '../publish/payload-schema.ts';
import type { PublisherStats } from '../publish/publisher.ts';
import type { FusionPipeline } from './fusion-pipeline.ts';
import type { SourceRunner } from './source-runner.ts';

export const BOOT_ID = randomUUID();

export interface StatusContext {
  state: 'online' | 'offline';
  t: TimestampNs;
  device: string;
  site: string;
  version: string;
  pipelines?: { wired: WiredPipeline; info: ModelInfo }[];
}

/** Retained birth (`online`, with model hashes, modality set and sync policy) or `offline` / LWT. */
export function buildStatus(c: StatusContext): StatusPayload {
  const out: StatusPayload = { v: 1, state: c.state, ts: nsToIso(c.t), device: c.device, site: c.site, version: c.version, pid: process.pid, boot_id: BOOT_ID };
  if (c.pipelines) {
    out.pipelines = {};
    for (const { wired, info } of c.pipelines) {
      const inputs: NonNullable<StatusPayload['pipelines']>[string]['inputs'] = {};
      for (const i of wired.inputs) {
        if (i.policy === 'latest') inputs[i.modality] = { source: i.sourceId, policy: i.policy, maxAgeMs: nsToMs(i.maxAgeNs) };
        else if (i.policy === 'window') inputs[i.modality] = { source: i.sourceId, policy: i.policy, maxAgeMs: nsToMs(i.maxAgeNs), lengthMs: nsToMs(i.lengthNs) };
        else inputs[i.modality] = { source: i.sourceId, policy: i.policy, deadlineMs: nsToMs(i.deadlineNs) };
      }
      out.pipelines[wired.name] = {
        model: { name: info.name, version: info.version, head: info.head, precision: info.precision, sha256: info.files },
        labels: info.labels,
        modalities: info.modalities,
        trigger: triggerText(wired),
        inputs,
      };
    }
  }
  return out;
}

/** `every 100ms`, `on cam0`, or `approximate (maxInterval 50ms)` for event-driven pipelines. */
export function triggerText(w: WiredPipeline): string {
  if (w.trigger) return 'everyNs' in w.trigger ? `every ${nsToMs(w.trigger.everyNs)}ms` : `on ${w.trigger.on}`;
  const policy = w.inputs[0]?.policy ?? 'approximate';
  return w.maxIntervalNs !== undefined ? `${policy} (maxInterval ${nsToMs(w.maxIntervalNs)}ms)` : policy;
}

export interface HealthContext {
  t: TimestampNs;
  startedAt: TimestampNs;
  runners: Iterable<SourceRunner>;
  pipelines: Iterable<FusionPipeline>;
  mqtt: PublisherStats | undefined;
  eventLoopLagMs: { p50: number; p99: number; max: number };
}

export function buildHealth(c: HealthContext): HealthPayload {
  const sources: HealthPayload['sources'] = {};
  for (const r of c.runners) sources[r.id] = r.health(c.t);
  const pipelines: HealthPayload['pipelines'] = {};
  for (const p of c.pipelines) {
    pipelines[p.name] = { results: p.results, inferenceDrops: p.inferenceDrops, skippedSets: p.skippedSets, mask: p.lastMask, latencyMs: p.latencyMs() };
  }
  const m = c.mqtt;
  const r3 = (x: number): number => Math.round(x * 1000) / 1000;
  return {
    v: 1,
    ts: nsToIso(c.t),
    uptime_s: Math.round(Number(c.t - c.startedAt) / 1e6) / 1e3,
    sources,
    pipelines,
    mqtt: {
      connected: m?.connected ?? false,
      inflight: m?.inflight ?? 0,
      queued: m?.queued ?? 0,
      dropped: m?.dropped ?? 0,
      reconnects: m?.reconnects ?? 0,
      spoolBytes: m?.spoolBytes ?? 0,
      spoolOldestS: Math.round((m?.spoolOldestMs ?? 0) / 100) / 10,
      ...(m?.lastError ? { lastError: m.lastError } : {}),
    },
    eventLoopLagMs: { p50: r3(c.eventLoopLagMs.p50), p99: r3(c.eventLoopLagMs.p99), max: r3(c.eventLoopLagMs.max) },
  };
}

/** Turns results into `label-changed` events (QoS 1): the first result and every change. */
export class LabelChangeTracker {
  #last = new Map<string, string>();
  #seq = new Map<string, number>();
  readonly #startSeq: (pipeline: string) => number;

  /** `startSeq`: where each pipeline's event seq begins (continues after a restart). */
  constructor(startSeq: (pipeline: string) => number = () => 0) {
    this.#startSeq = startSeq;
  }

  next(pipeline: string, label: string, score: number, t: TimestampNs): EventPayload | undefined {
    const prev = this.#last.get(pipeline);
    if (prev === label) return undefined;
    this.#last.set(pipeline, label);
    const seq = this.#seq.get(pipeline) ?? this.#startSeq(pipeline);
    this.#seq.set(pipeline, seq + 1);
    return { v: 1, seq, ts: nsToIso(t), t_ns: t.toString(), pipeline, type: 'label-changed', from: prev ?? null, to: label, score };
  }
}
