import fc from 'fast-check';
import { ApproximateSynchronizer } from '../../src/align/policies/approximate.ts';
import { ExactSynchronizer } from '../../src/align/policies/exact.ts';
import { LatestPolicy } from '../../src/align/policies/latest.ts';
import { TriggeredSynchronizer } from '../../src/align/policies/triggered.ts';
import { WindowPolicy } from '../../src/align/policies/window.ts';
import type { Synchronizer } from '../../src/align/synchronizer.ts';
import type { AlignedSet } from '../../src/align/types.ts';
import type { AnySample, Modality, Sample } from '../../src/core/sample.ts';
import type { TimestampNs } from '../../src/core/time.ts';

/** Drives synchronizers in virtual time (no timers, no sleeping) for the property tests. */

export const MS = 1_000_000n;
export const POLICIES = ['exact', 'approximate', 'latest', 'window'] as const;
export type PolicyKind = (typeof POLICIES)[number];
const MODS: Modality[] = ['camera', 'depth', 'lidar', 'eeg'];

export interface PolicyParams {
  sources: number;
  /** Event-driven: silence tolerance per source; triggered: unused. */
  deadlineNs?: bigint;
  maxLatencyNs?: bigint;
  maxIntervalNs?: bigint;
  queueSize?: number;
  /** Triggered: fixed period and grid start. */
  periodNs?: bigint;
  startNs?: bigint;
  capacity?: number;
}

export const sourceId = (i: number): string => `s${i}`;

/** With the window policy, source 0 is EEG; every other source sends images. */
export function isEeg(kind: PolicyKind, i: number, _n: number): boolean {
  return kind === 'window' && i === 0;
}

const WINDOW_MODS: Modality[] = ['eeg', 'camera', 'depth', 'lidar'];

export function makePolicy(kind: PolicyKind, p: PolicyParams): Synchronizer {
  const ids = Array.from({ length: p.sources }, (_, i) => i);
  const common = (i: number) => ({
    modality: (kind === 'window' ? WINDOW_MODS[i] : MODS[i]) as Modality,
    sourceId: sourceId(i),
    ...(p.maxLatencyNs !== undefined ? { maxLatencyNs: p.maxLatencyNs } : {}),
  });
  if (kind === 'exact' || kind === 'approximate') {
    const inputs = ids.map((i) => ({ ...common(i), ...(p.deadlineNs !== undefined ? { deadlineNs: p.deadlineNs } : {}) }));
    const queueSize = p.queueSize ?? 16;
    return kind === 'exact'
      ? new ExactSynchronizer({ inputs, queueSize })
      : new ApproximateSynchronizer({ inputs, queueSize, ...(p.maxIntervalNs !== undefined ? { maxIntervalNs: p.maxIntervalNs } : {}) });
  }
  const inputs = ids.map((i) => ({
    ...common(i),
    policy: isEeg(kind, i, p.sources)
      ? new WindowPolicy({ lengthNs: 40n * MS, samples: 10, maxAgeNs: 30n * MS })
      : new LatestPolicy({ maxAgeNs: 30n * MS }),
  }));
  return new TriggeredSynchronizer({
    inputs,
    trigger: { everyNs: p.periodNs ?? 10n * MS },
    ...(p.startNs !== undefined ? { startNs: p.startNs } : {}),
    buffer: () => ({ capacity: p.capacity ?? 32 }),
    maxPendingTicks: 64,
  });
}

/** A sample of source i at t: a tiny image, or a 250 Hz EEG chunk of 2 samples. */
export function sampleOf(kind: PolicyKind, sources: number, i: number, t: TimestampNs, seq: number): AnySample {
  if (isEeg(kind, i, sources)) {
    const s: Sample<'eeg'> = {
      kind: 'eeg',
      sourceId: sourceId(i),
      seq,
      t,
      tEnd: t + 4n * MS,
      receivedAt: t,
      payload: { rateHz: 250, channels: 1, data: new Float32Array([seq, seq + 0.5]), firstSampleIndex: seq * 2 },
    };
    return s;
  }
  return { kind: 'image', sourceId: sourceId(i), seq, t, receivedAt: t, payload: { width: 1, height: 1, format: 'gray8', data: new Uint8Array(1) } };
}

export type Event = { type: 'push'; source: number; t: bigint } | { type: 'bound'; source: number; t: bigint } | { type: 'poll'; now: bigint };

/** Arbitrary events, including unknown sources, stamps going back, duplicates and polls back in time. */
export function arbitraryEvents(sources: number): fc.Arbitrary<Event[]> {
  const t = fc.bigInt({ min: -5n * MS, max: 200n * MS }).map((x) => (x / MS) * MS + (x % 3n === 0n ? 0n : x % 1000n));
  const src = fc.integer({ min: 0, max: sources });
  return fc.array(
    fc.oneof(
      { weight: 6, arbitrary: fc.record({ type: fc.constant('push' as const), source: src, t }) },
      { weight: 1, arbitrary: fc.record({ type: fc.constant('bound' as const), source: src, t }) },
      { weight: 2, arbitrary: fc.record({ type: fc.constant('poll' as const), now: t }) },
    ),
    { maxLength: 120 },
  );
}

export interface Run {
  sets: AlignedSet[];
  /** Host time at which each set came out. */
  emittedAt: bigint[];
  pushed: AnySample[];
}

export function apply(kind: PolicyKind, sync: Synchronizer, sources: number, events: readonly Event[]): Run {
  const run: Run = { sets: [], emittedAt: [], pushed: [] };
  let now = 0n;
  let seq = 0;
  for (const e of events) {
    if (e.type === 'push') {
      const s = sampleOf(kind, sources, e.source, e.t, seq++);
      run.pushed.push(s);
      sync.push(s);
      note(run, sync.poll(now), now);
    } else if (e.type === 'bound') {
      sync.advanceBound(sourceId(e.source), e.t);
      note(run, sync.poll(now), now);
    } else {
      now = e.now > now ? e.now : now;
      note(run, sync.poll(e.now), now);
    }
  }
  note(run, sync.flush(), now);
  return run;
}

export function note(run: Run, sets: AlignedSet[], at: bigint): void {
  for (const s of sets) {
    run.sets.push(s);
    run.emittedAt.push(at);
  }
}

/** A set as plain data: per modality, the member's stamp (or state when missing). */
export function shape(set: AlignedSet): string {
  const parts = Object.entries(set.members)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([mod, m]) => `${mod}:${m.state}:${m.sample ? `${m.sample.t}/${m.sample.tEnd ?? ''}` : '-'}`);
  return `${set.t}|${parts.join(',')}`;
}

/** Samples (by identity) that a set carries (triggered window members are copies: not counted). */
export function members(set: AlignedSet): AnySample[] {
  return Object.values(set.members).flatMap((m) => (m.sample && m.state === 'fresh' ? [m.sample] : []));
}
