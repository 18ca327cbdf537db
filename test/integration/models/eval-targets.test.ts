import { describe, expect, it } from 'vitest';
import { range } from '../../../models/train/export-dataset.ts';
import { checkTargets, evaluate, type EvalReport } from '../../../models/train/evaluate.ts';

/**
 * The reference scenario's claims, measured on the committed models with real onnxruntime-node on
 * fresh simulator seeds (CI has no torch: this never retrains). A smaller sample than
 * `npm run models:eval` (2000) to keep the suite fast; the margins in MODEL_CARD.md come from that.
 */
describe('committed reference models meet the targets on held-out seeds', () => {
  let r: EvalReport;
  it('evaluates', async () => {
    r = await evaluate({ modelDir: 'models/reference', seeds: range(910000, 910040), count: 800 });
    console.log(JSON.stringify({ fused: r.fused, single: r.single, missingOne: r.missingOne, withoutBaseline: r.withoutBaseline, int8Agreement: r.int8Agreement, int8Drop: r.int8Drop, heads: r.heads }));
    expect(r.n).toBe(800);
  }, 180_000);

  it('fused >= 0.98 for every head; every single modality <= 0.60', () => {
    for (const [h, acc] of Object.entries(r.heads)) expect(acc, h).toBeGreaterThanOrEqual(0.98);
    for (const [m, acc] of Object.entries(r.single)) expect(acc, m).toBeLessThanOrEqual(0.6);
  });

  it('int8 vs float: agreement >= 0.995, accuracy drop <= 0.005', () => {
    for (const [h, v] of Object.entries(r.int8PerHead)) {
      expect(v.agreement, h).toBeGreaterThanOrEqual(0.995);
      expect(v.drop, h).toBeLessThanOrEqual(0.005);
    }
  });

  it('with any one modality masked out, >= the head trained without it − 0.02', () => {
    for (const [m, acc] of Object.entries(r.missingOne)) expect(acc, m).toBeGreaterThanOrEqual((r.withoutBaseline as Record<string, number>)[m]! - 0.02);
    expect(checkTargets(r)).toEqual([]);
  });
});
