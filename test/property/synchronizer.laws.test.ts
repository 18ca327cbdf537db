import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DROP_REASONS, type Synchronizer } from '../../src/align/synchronizer.ts';
import type { AlignedSet } from '../../src/align/types.ts';
import { MS, POLICIES, apply, arbitraryEvents, makePolicy, members, note, sampleOf, shape, sourceId, type Event, type PolicyKind, type Run } from './sync-harness.ts';

/**
 * Laws of every alignment policy (exact, approximate, latest, window), checked on generated
 * inputs. Time is virtual: `poll(now)` is called with explicit instants, nothing sleeps.
 */

const sourcesArb = fc.integer({ min: 2, max: 4 });
const RUNS = { numRuns: 120 };

for (const kind of POLICIES) {
  describe(`${kind} policy laws`, () => {
    it(`${kind}: total — never throws, whatever arrives (unknown sources, stamps going back, duplicates, bounds, polls)`, () => {
      fc.assert(
        fc.property(sourcesArb, fc.integer({ min: 1, max: 6 }), fc.boolean(), (n, q, deadlines) => {
          fc.assert(
            fc.property(arbitraryEvents(n), (events) => {
              const sync = makePolicy(kind, { sources: n, queueSize: q, capacity: q, ...(deadlines ? { deadlineNs: 20n * MS, maxLatencyNs: 5n * MS, maxIntervalNs: 10n * MS } : {}) });
              apply(kind, sync, n, events);
            }),
            { numRuns: 10 },
          );
        }),
        { numRuns: 12 },
      );
    });

    it(`${kind}: no silent drop — every sample pushed is used, counted as a drop, or still held`, () => {
      fc.assert(
        fc.property(sourcesArb, fc.integer({ min: 1, max: 6 }), (n, q) => {
          fc.assert(
            fc.property(arbitraryEvents(n), (events) => {
              const sync = makePolicy(kind, { sources: n, queueSize: q, capacity: q, deadlineNs: 20n * MS, maxLatencyNs: 5n * MS, maxIntervalNs: 10n * MS });
              const run = apply(kind, sync, n, events);
              const st = sync.stats();
              const dropped = Object.values(st.drops).reduce((a, d) => a + DROP_REASONS.reduce((b, r) => b + d[r], 0), 0);
              const released = Object.values(st.released).reduce((a, b) => a + b, 0);
              const queued = Object.values(st.queued).reduce((a, b) => a + b, 0);
              expect(dropped + released + queued).toBe(run.pushed.length);
              if (kind === 'exact' || kind === 'approximate') {
                expect(queued).toBe(0); // flushed
                expect(released).toBe(run.sets.reduce((a, s) => a + members(s).length, 0));
              }
            }),
            { numRuns: 10 },
          );
        }),
        { numRuns: 12 },
      );
    });

    it(`${kind}: output times are non-decreasing`, () => {
      fc.assert(
        fc.property(sourcesArb, (n) => {
          fc.assert(
            fc.property(arbitraryEvents(n), (events) => {
              const run = apply(kind, makePolicy(kind, { sources: n, deadlineNs: 20n * MS, maxLatencyNs: 5n * MS, maxIntervalNs: 10n * MS }), n, events);
              for (let i = 1; i < run.sets.length; i++) expect((run.sets[i] as AlignedSet).t).toBeGreaterThanOrEqual((run.sets[i - 1] as AlignedSet).t);
            }),
            { numRuns: 15 },
          );
        }),
        { numRuns: 8 },
      );
    });

    it(`${kind}: memory is bounded — no source ever holds more than its queue/buffer size`, () => {
      fc.assert(
        fc.property(sourcesArb, fc.integer({ min: 1, max: 8 }), (n, q) => {
          fc.assert(
            fc.property(arbitraryEvents(n), (events) => {
              // No deadlines: the worst case for holding on to samples.
              const sync = makePolicy(kind, { sources: n, queueSize: q, capacity: q });
              apply(kind, sync, n, events);
              for (const held of Object.values(sync.stats().maxQueued)) expect(held).toBeLessThanOrEqual(q);
            }),
            { numRuns: 10 },
          );
        }),
        { numRuns: 12 },
      );
    });

    if (kind === 'exact' || kind === 'approximate') {
      it(`${kind}: each sample is used at most once`, () => {
        fc.assert(
          fc.property(sourcesArb, (n) => {
            fc.assert(
              fc.property(arbitraryEvents(n), (events) => {
                const run = apply(kind, makePolicy(kind, { sources: n, deadlineNs: 20n * MS, maxLatencyNs: 5n * MS, maxIntervalNs: 10n * MS }), n, events);
                const seen = new Set<unknown>();
                for (const s of run.sets) for (const m of members(s)) {
                  expect(seen.has(m)).toBe(false);
                  seen.add(m);
                }
              }),
              { numRuns: 15 },
            );
          }),
          { numRuns: 8 },
        );
      });
    }

    it(`${kind}: output depends only on stamps and bounds, not on arrival order across sources`, () => {
      fc.assert(
        fc.property(perSourceStreams(kind), fc.array(fc.nat(), { minLength: 200, maxLength: 200 }), fc.array(fc.nat(), { minLength: 200, maxLength: 200 }), (streams, pickA, pickB) => {
          const n = streams.length;
          // Big queues (overflow is the one order-dependent event ROS has too); no wall-clock deadlines.
          const params = { sources: n, queueSize: 1000, capacity: 1000, deadlineNs: 25n * MS, maxIntervalNs: 12n * MS, startNs: 0n };
          const a = apply(kind, makePolicy(kind, params), n, interleave(streams, pickA));
          const b = apply(kind, makePolicy(kind, params), n, interleave(streams, pickB));
          expect(a.sets.map(shape)).toEqual(b.sets.map(shape));
        }),
        RUNS,
      );
    });

    it(`${kind}: a silent source never delays output past its deadline`, () => {
      fc.assert(
        fc.property(perSourceStreams(kind, 3), fc.bigInt({ min: 0n, max: 5n * MS }), (streams, jitter) => {
          const L = 6n * MS; // transport budget: every arrival is within it
          const G = 25n * MS; // silence tolerance (event-driven)
          const live = streams.length; // sources 0..live-1 deliver; source `live` never does
          const withSilent = simulate(kind, { sources: live + 1, deadlineNs: G, maxLatencyNs: L, maxIntervalNs: 12n * MS, queueSize: 1000, capacity: 1000, startNs: 0n }, streams, jitter);
          const without = simulate(kind, { sources: live, deadlineNs: G, maxLatencyNs: L, maxIntervalNs: 12n * MS, queueSize: 1000, capacity: 1000, startNs: 0n }, streams, jitter);
          expect(withSilent.sets.length).toBe(without.sets.length);
          withSilent.sets.forEach((set, k) => {
            const other = without.sets[k] as AlignedSet;
            const entries = Object.entries(set.members);
            const silent = entries.find(([, m]) => m.sourceId === sourceId(live))?.[1];
            expect(silent?.state).toBe('missing');
            const rest = Object.fromEntries(entries.filter(([, m]) => m.sourceId !== sourceId(live))) as AlignedSet['members'];
            expect(shape({ ...set, members: rest })).toBe(shape(other));
            // The set waited for the silent source at most until its deadline.
            const start = kind === 'exact' || kind === 'approximate' ? minStamp(set) : set.t;
            const bound = (kind === 'exact' || kind === 'approximate' ? start + G + L : start + L) + 1n;
            const other_ = without.emittedAt[k] as bigint;
            expect(withSilent.emittedAt[k] as bigint).toBeLessThanOrEqual(other_ > bound ? other_ : bound);
          });
        }),
        { numRuns: 80 },
      );
    });
  });
}

/** Per source, strictly increasing stamps with optional truthful bound advances before a sample. */
function perSourceStreams(kind: PolicyKind, maxSources = 4): fc.Arbitrary<Event[][]> {
  const unit = kind === 'exact' ? 5n * MS : MS; // exact needs shared stamps
  return fc.integer({ min: 2, max: maxSources }).chain((n) =>
    fc.tuple(
      ...Array.from({ length: n }, (_, i) =>
        fc.array(fc.record({ gap: fc.integer({ min: 1, max: 12 }), bound: fc.boolean() }), { maxLength: 20 }).map((steps) => {
          const out: Event[] = [];
          let t = 0n;
          for (const s of steps) {
            const next = t + BigInt(s.gap) * unit;
            if (s.bound) out.push({ type: 'bound', source: i, t: (t + next) / 2n });
            out.push({ type: 'push', source: i, t: next });
            t = next;
          }
          return out;
        }),
      ),
    ),
  );
}

/** Merges per-source streams, keeping each source's order; `picks` choose the next source. */
function interleave(streams: Event[][], picks: number[]): Event[] {
  const pos = streams.map(() => 0);
  const out: Event[] = [];
  let k = 0;
  for (;;) {
    const open = streams.map((s, i) => i).filter((i) => (pos[i] as number) < (streams[i] as Event[]).length);
    if (open.length === 0) return out;
    const i = open[(picks[k++ % picks.length] as number) % open.length] as number;
    out.push((streams[i] as Event[])[pos[i] as number] as Event);
    pos[i] = (pos[i] as number) + 1;
  }
}

function minStamp(set: AlignedSet): bigint {
  let m: bigint | undefined;
  for (const x of Object.values(set.members)) if (x.sample && (m === undefined || x.sample.t < m)) m = x.sample.t;
  return m ?? set.t;
}

/**
 * Virtual-time run: each sample arrives up to `jitter` after its stamp (within the budget, in
 * order per source); the caller polls on every arrival and at every `nextDeadline()`, as a
 * pipeline would.
 */
function simulate(kind: PolicyKind, params: Parameters<typeof makePolicy>[1], streams: Event[][], jitter: bigint): Run {
  const sync: Synchronizer = makePolicy(kind, params);
  const arrivals = streams
    .flatMap((s) => {
      // A link delays but does not reorder: per source, arrivals keep the stamps' order.
      let prev = -1n;
      return s
        .filter((e): e is Extract<Event, { type: 'push' }> => e.type === 'push')
        .map((e, k) => {
          const at = e.t + (jitter * BigInt(k % 3)) / 2n;
          prev = at > prev ? at : prev;
          return { e, at: prev };
        });
    })
    .sort((x, y) => (x.at < y.at ? -1 : x.at > y.at ? 1 : x.e.source - y.e.source || (x.e.t < y.e.t ? -1 : 1)));
  const run: Run = { sets: [], emittedAt: [], pushed: [] };
  let last = -1n;
  const drain = (until: bigint): void => {
    for (let guard = 0; guard < 10_000; guard++) {
      const d = sync.nextDeadline();
      if (d === undefined || d > until) return;
      if (d <= last) throw new Error(`nextDeadline ${d} is not after the last poll ${last}`);
      last = d;
      note(run, sync.poll(d), d);
    }
  };
  let seq = 0;
  for (const { e, at } of arrivals) {
    drain(at);
    const s = sampleOf(kind, params.sources, e.source, e.t, seq++);
    sync.push(s);
    if (at > last) last = at;
    note(run, sync.poll(at), at);
  }
  drain((arrivals[arrivals.length - 1]?.at ?? 0n) + 100n * MS);
  return run;
}
