import { describe, expect, it } from 'vitest';
import { createConsoleView } from '../../../src/cli/console-view.ts';
import type { ResultPayload } from '../../../src/publish/payload-schema.ts';

/** A terminal that records what was written. */
function tty(): NodeJS.WriteStream & { text: string } {
  const t = { isTTY: true, text: '', write: (s: string) => ((t.text += s), true) };
  return t as unknown as NodeJS.WriteStream & { text: string };
}

const result = (seq: number, mask: ResultPayload['mask']): ResultPayload =>
  ({ seq, ts: '2026-11-26T22:12:14.400Z', pipeline: 'cell_state', label: 'producing', score: 0.99, mask, lineage: { stageMs: { total: 5.04 } } }) as unknown as ResultPayload;

describe('live view', () => {
  it('keeps the latency column aligned whether or not a modality is missing (coloured red)', () => {
    const out = tty();
    const view = createConsoleView(out);
    view(result(1, { camera: 'fresh', depth: 'fresh', lidar: 'fresh', eeg: 'fresh' }));
    view(result(2, { camera: 'fresh', depth: 'held', lidar: 'missing', eeg: 'missing' }));
    const plain = out.text.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '').trimEnd().split('\n');
    expect(plain).toHaveLength(3); // header + 2
    expect(out.text).toContain('\x1b[31mlid○\x1b[0m');
    const at = plain.slice(1).map((l) => l.indexOf('5.0 ms'));
    expect(at[0]).toBeGreaterThan(0);
    expect(at[1]).toBe(at[0]);
  });
});
