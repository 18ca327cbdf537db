import { distanceToChange, truthAt, type GroundTruthTrack } from '../core/log-reader.ts';
import type { ResultPayload } from '../publish/payload-schema.ts';

/**
 * What a replay reports at the end: sets and results, accuracy against the log's ground truth
 * (all results, and "settled" ones at least {@link SETTLED_NS} from a label change, since physical
 * transitions take 0.8 s in the simulator), drops, and lineage statistics (mask states, member
 * ages, skew). Built from the result payloads alone, so it is as deterministic as they are.
 */
export const SETTLED_NS = 1_000_000_000n;

export interface Accuracy {
  n: number;
  correct: number;
  accuracy: number | null;
}

export interface ReplaySummary {
  log: string;
  format: string;
  logSpanS: number;
  speed: string;
  /** Wall time of the replay itself (after the models loaded). */
  wallS: number;
  /** Log seconds per wall second actually achieved. */
  achievedSpeed: number;
  /** Aligned sets handed to inference (results + keep-newest drops). */
  sets: number;
  results: number;
  perPipeline: Record<string, { results: number; labels: Record<string, number> }>;
  accuracy?: { truth: string; all: Accuracy; settled: Accuracy };
  /** Sums of the results' lineage drops: keep-newest inference drops, and per source per reason. */
  drops: { inference: number; sources: Record<string, Record<string, number>> };
  lineage: {
    mask: Record<string, { fresh: number; held: number; missing: number }>;
    ageMs: Record<string, { p50: number | null; p99: number | null }>;
    skewMs: { p50: number | null; p99: number | null };
  };
  delivered: Record<string, number>;
  notes: string[];
}

export class SummaryBuilder {
  #results = 0;
  #dropsInference = 0;
  #perPipeline: ReplaySummary['perPipeline'] = {};
  #sources: Record<string, Record<string, number>> = {};
  #mask: ReplaySummary['lineage']['mask'] = {};
  #ages = new Map<string, number[]>();
  #skews: number[] = [];
  #all = { n: 0, correct: 0 };
  #settled = { n: 0, correct: 0 };
  readonly #truth: GroundTruthTrack | undefined;

  constructor(truth: GroundTruthTrack | undefined) {
    this.#truth = truth;
  }

  add(r: ResultPayload): void {
    this.#results++;
    this.#dropsInference += r.lineage.drops.inference;
    const p = (this.#perPipeline[r.pipeline] ??= { results: 0, labels: {} });
    p.results++;
    p.labels[r.label] = (p.labels[r.label] ?? 0) + 1;
    for (const [id, d] of Object.entries(r.lineage.drops.sources)) {
      const acc = (this.#sources[id] ??= {});
      for (const [reason, n] of Object.entries(d)) if (typeof n === 'number') acc[reason] = (acc[reason] ?? 0) + n;
    }
    for (const [mod, state] of Object.entries(r.mask)) (this.#mask[mod] ??= { fresh: 0, held: 0, missing: 0 })[state]++;
    for (const [id, s] of Object.entries(r.lineage.sources)) {
      if (s.ageMs === undefined || s.state === 'missing') continue;
      let xs = this.#ages.get(id);
      if (!xs) this.#ages.set(id, (xs = []));
      xs.push(s.ageMs);
    }
    this.#skews.push(r.lineage.skewMs);
    const truth = this.#truth;
    if (truth) {
      const t = BigInt(r.t_ns);
      const label = truthAt(truth, t);
      if (label === undefined) return;
      const ok = truth.labels[label] === r.label ? 1 : 0;
      this.#all.n++;
      this.#all.correct += ok;
      if (distanceToChange(truth, t) >= SETTLED_NS) {
        this.#settled.n++;
        this.#settled.correct += ok;
      }
    }
  }

  build(o: { log: string; format: string; logSpanNs: bigint; speed: string; wallMs: number; delivered: Record<string, number>; notes: string[] }): ReplaySummary {
    const acc = (a: { n: number; correct: number }): Accuracy => ({ ...a, accuracy: a.n ? round(a.correct / a.n, 4) : null });
    const logSpanS = Number(o.logSpanNs) / 1e9;
    return {
      log: o.log,
      format: o.format,
      logSpanS: round(logSpanS, 3),
      speed: o.speed,
      wallS: round(o.wallMs / 1e3, 3),
      achievedSpeed: o.wallMs > 0 ? round(logSpanS / (o.wallMs / 1e3), 2) : 0,
      sets: this.#results + this.#dropsInference,
      results: this.#results,
      perPipeline: this.#perPipeline,
      ...(this.#truth ? { accuracy: { truth: this.#truth.key, all: acc(this.#all), settled: acc(this.#settled) } } : {}),
      drops: { inference: this.#dropsInference, sources: this.#sources },
      lineage: {
        mask: this.#mask,
        ageMs: Object.fromEntries([...this.#ages].map(([id, xs]) => [id, quantiles(xs)])),
        skewMs: quantiles(this.#skews),
      },
      delivered: Object.fromEntries(Object.entries(o.delivered).sort(([a], [b]) => a.localeCompare(b))),
      notes: o.notes,
    };
  }
}

function quantiles(xs: number[]): { p50: number | null; p99: number | null } {
  if (xs.length === 0) return { p50: null, p99: null };
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))] as number;
  return { p50: round(q(0.5), 3), p99: round(q(0.99), 3) };
}

function round(x: number, d: number): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}
