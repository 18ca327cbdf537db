import type { ResultPayload } from '../publish/payload-schema.ts';

const SHORT: Record<string, string> = { camera: 'cam', depth: 'dep', lidar: 'lid', eeg: 'eeg' };

/**
 * The live view of `npm start`: one line per result — time, seq, label, score, mask, latency.
 * Mask: ● fresh, ◐ held (reused), ○ missing.
 */
export function createConsoleView(out: NodeJS.WriteStream = process.stdout): (r: ResultPayload) => void {
  const color = Boolean(out.isTTY) && !process.env.NO_COLOR;
  const paint = (code: number, s: string): string => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const labelColor = (label: string): number => {
    let h = 0;
    for (const ch of label) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
    return [32, 33, 36, 35, 34, 31][h % 6] as number;
  };
  let header = false;
  return (r) => {
    if (!header) {
      out.write(paint(2, 'time          seq  pipeline     label          score  mask (● fresh ◐ held ○ missing)     latency\n'));
      header = true;
    }
    const cells = Object.entries(r.mask).map(([m, s]) => {
      const sym = s === 'fresh' ? '●' : s === 'held' ? '◐' : '○';
      const txt = `${SHORT[m] ?? m}${sym}`;
      return { txt, shown: s === 'missing' ? paint(31, txt) : txt };
    });
    // Pad by what is visible: colour codes would otherwise eat the padding and shift the column.
    const visible = cells.map((c) => c.txt).join(' ').length;
    const mask = cells.map((c) => c.shown).join(' ') + ' '.repeat(Math.max(0, 32 - visible));
    const lat = r.lineage.stageMs ? `${r.lineage.stageMs.total.toFixed(1)} ms` : '';
    const time = r.ts.slice(11, 23);
    out.write(
      `${paint(2, time)} ${String(r.seq).padStart(6)}  ${r.pipeline.padEnd(11).slice(0, 11)}  ${paint(labelColor(r.label), r.label.padEnd(13))} ${r.score.toFixed(2).padStart(5)}  ${mask} ${paint(2, lat)}\n`,
    );
  };
}
