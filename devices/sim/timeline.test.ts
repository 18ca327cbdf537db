import { describe, expect, it } from 'vitest';
import { EPOCH_NS, TRANSITION_NS, Timeline, factorsOf, labelOf, type LabelIndex } from './timeline.ts';

const T0 = 1_700_000_000_000_000_000n;
const S = 1_000_000_000n;

describe('label timeline (CONTRACT.md "Timeline")', () => {
  it('is a pure function of (seed, t): same seed same labels, other seeds differ', () => {
    const a = new Timeline(1000);
    const b = new Timeline(1000);
    const c = new Timeline(1001);
    let differ = 0;
    for (let k = 0n; k < 200n; k++) {
      const t = T0 + k * 1_234_567_891n;
      expect(a.labelAt(t)).toBe(b.labelAt(t));
      if (a.labelAt(t) !== c.labelAt(t)) differ++;
    }
    expect(differ).toBeGreaterThan(50);
  });

  it('switches once per 5 s epoch, at e·5 s + u with u in [0, 2 s)', () => {
    const tl = new Timeline(7);
    for (let e = Number(T0 / EPOCH_NS); e < Number(T0 / EPOCH_NS) + 500; e++) {
      const at = tl.switchTime(e);
      expect(at >= BigInt(e) * EPOCH_NS && at < BigInt(e) * EPOCH_NS + 2n * S).toBe(true);
      expect(tl.labelAt(at)).toBe(tl.epochLabel(e));
      expect(tl.labelAt(at - 1n)).toBe(tl.epochLabel(e - 1));
    }
  });

  it('lists exactly the real changes; the label is constant between them; changes are ≥ 3 s apart', () => {
    const tl = new Timeline(42);
    const t1 = T0 + 600n * S;
    const changes = tl.changesBetween(T0, t1);
    expect(changes.length).toBeGreaterThan(60); // ~120 epochs, 3/4 of them change
    let prev = T0;
    let label = tl.labelAt(T0);
    for (const c of changes) {
      expect(c.at - prev >= 3n * S || prev === T0).toBe(true);
      expect(c.from).toBe(label);
      expect(c.to).not.toBe(c.from);
      // Sampled between changes: the label never moves.
      for (let t = prev; t < c.at; t += 250_000_000n) expect(tl.labelAt(t)).toBe(label);
      label = c.to;
      prev = c.at;
    }
  });

  it('draws labels uniformly from 0..3 (χ² over 20 000 epochs)', () => {
    const tl = new Timeline(3000);
    const counts = [0, 0, 0, 0];
    const e0 = Number(T0 / EPOCH_NS);
    for (let e = e0; e < e0 + 20000; e++) counts[tl.epochLabel(e)]!++;
    const chi2 = counts.reduce((s, c) => s + (c - 5000) ** 2 / 5000, 0);
    expect(chi2).toBeLessThan(16.3); // p = 0.001 for 3 degrees of freedom
  });

  it('finishes physical transitions 0.8 s after a change and measures distance to it', () => {
    const tl = new Timeline(9);
    const c = tl.changesBetween(T0, T0 + 60n * S).find((x) => factorsOf(x.from).robot !== factorsOf(x.to).robot);
    expect(c).toBeDefined();
    const ch = c!;
    expect(tl.phase(ch.at + TRANSITION_NS / 2n, 'robot').progress).toBeCloseTo(0.5, 6);
    expect(tl.phase(ch.at + TRANSITION_NS, 'robot').progress).toBe(1);
    expect(tl.phase(ch.at - 1n, 'robot').progress).toBe(1);
    expect(tl.distanceToChange(ch.at + 300_000_000n)).toBe(300_000_000n);
  });

  it('encodes labels as 2·R + O', () => {
    for (const l of [0, 1, 2, 3] as LabelIndex[]) expect(labelOf(factorsOf(l))).toBe(l);
    expect(factorsOf(1)).toEqual({ robot: 'running', operator: 'resting' });
    expect(factorsOf(2)).toEqual({ robot: 'paused', operator: 'engaged' });
  });
});
