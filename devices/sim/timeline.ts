import type { TimestampNs } from '../../src/core/index.ts';
import { Stream, hi32, uniform } from './hash.ts';

/**
 * The ground-truth label timeline of CONTRACT.md ("Timeline"): a pure function of (seed, absolute
 * host time). Time is cut into 5 s epochs counted from the Unix epoch; in epoch e the label switches
 * at `e*5s + u_e` (u_e ∈ [0, 2 s)) to a label drawn uniformly from 0..3, both hashed from (seed, e).
 * A switch to the label already in force is not a change. Physical transitions finish within
 * {@link TRANSITION_NS} of a change.
 */

export const LABELS = ['producing', 'unattended', 'manual', 'break'] as const;
export type Label = (typeof LABELS)[number];
/** `2*R + O` with R: running=0/paused=1, O: engaged=0/resting=1. */
export type LabelIndex = 0 | 1 | 2 | 3;
export type RobotFactor = 'running' | 'paused';
export type OperatorFactor = 'engaged' | 'resting';

export interface Factors {
  robot: RobotFactor;
  operator: OperatorFactor;
}

/** A switch point. `from === to` when the epoch drew the label already in force. */
export interface Switch {
  at: TimestampNs;
  epoch: number;
  from: LabelIndex;
  to: LabelIndex;
}

export const EPOCH_NS = 5_000_000_000n;
export const MAX_SWITCH_OFFSET_NS = 2_000_000_000n;
/** CONTRACT.md: "Physical transitions … complete within 0.8 s after a change". */
export const TRANSITION_NS = 800_000_000n;

export function factorsOf(label: LabelIndex): Factors {
  return { robot: label >> 1 === 0 ? 'running' : 'paused', operator: (label & 1) === 0 ? 'engaged' : 'resting' };
}

export function labelOf(f: Factors): LabelIndex {
  return ((f.robot === 'running' ? 0 : 2) + (f.operator === 'engaged' ? 0 : 1)) as LabelIndex;
}

/**
 * One binary factor seen at an instant: its value, the value it is leaving, and how far the
 * physical transition has gone (1 = settled). `sinceNs` is the time since the last switch point,
 * which movement code uses to freeze the pose it is transitioning away from.
 */
export interface FactorPhase {
  value: 0 | 1;
  from: 0 | 1;
  progress: number;
  switchAt: TimestampNs;
}

export class Timeline {
  readonly seed: number;

  constructor(seed: number) {
    this.seed = seed;
  }

  /** The label drawn for epoch e. */
  epochLabel(epoch: number): LabelIndex {
    return Math.floor(uniform(this.seed, Stream.label, epoch, hi32(epoch)) * 4) as LabelIndex;
  }

  /** Absolute time of epoch e's switch point. */
  switchTime(epoch: number): TimestampNs {
    const u = uniform(this.seed, Stream.changeOffset, epoch, hi32(epoch));
    return BigInt(epoch) * EPOCH_NS + BigInt(Math.floor(u * Number(MAX_SWITCH_OFFSET_NS)));
  }

  /** The switch point most recently at or before `t`. */
  lastSwitch(t: TimestampNs): Switch {
    let epoch = Number(t / EPOCH_NS);
    if (t < this.switchTime(epoch)) epoch -= 1;
    return { at: this.switchTime(epoch), epoch, from: this.epochLabel(epoch - 1), to: this.epochLabel(epoch) };
  }

  labelAt(t: TimestampNs): LabelIndex {
    return this.lastSwitch(t).to;
  }

  factorsAt(t: TimestampNs): Factors {
    return factorsOf(this.labelAt(t));
  }

  /** Real changes (label differs) with `t0 <= at < t1`, in time order. */
  changesBetween(t0: TimestampNs, t1: TimestampNs): Switch[] {
    const out: Switch[] = [];
    for (let e = Number(t0 / EPOCH_NS) - 1; BigInt(e) * EPOCH_NS < t1; e++) {
      const at = this.switchTime(e);
      if (at < t0 || at >= t1) continue;
      const from = this.epochLabel(e - 1);
      const to = this.epochLabel(e);
      if (from !== to) out.push({ at, epoch: e, from, to });
    }
    return out;
  }

  /** Distance to the nearest real change (segments are ≥ 3 s, so looking ±1 epoch is enough). */
  distanceToChange(t: TimestampNs): TimestampNs {
    let best = 10n * EPOCH_NS;
    for (const c of this.changesBetween(t - 2n * EPOCH_NS, t + 2n * EPOCH_NS)) {
      const d = c.at > t ? c.at - t : t - c.at;
      if (d < best) best = d;
    }
    return best;
  }

  /**
   * Phase of one factor at `t` (`robot`: 1 = paused; `operator`: 1 = resting). Segments last ≥ 3 s
   * and transitions 0.8 s, so only the most recent switch point can still be in progress.
   */
  phase(t: TimestampNs, factor: 'robot' | 'operator', override?: 0 | 1): FactorPhase {
    if (override !== undefined) return { value: override, from: override, progress: 1, switchAt: 0n };
    const s = this.lastSwitch(t);
    const pick = (l: LabelIndex): 0 | 1 => (factor === 'robot' ? ((l >> 1) as 0 | 1) : ((l & 1) as 0 | 1));
    const value = pick(s.to);
    const from = pick(s.from);
    const progress = value === from ? 1 : Math.min(1, Number(t - s.at) / Number(TRANSITION_NS));
    return { value, from, progress, switchAt: s.at };
  }
}
