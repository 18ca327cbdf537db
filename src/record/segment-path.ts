import { dirname } from 'node:path';
import { mkdirSync } from 'node:fs';
import { NS_PER_MS, type TimestampNs } from '../core/time.ts';

/**
 * Output file names. `{date}` in the template becomes the recording's start time in UTC
 * (`2026-03-01T12-00-00Z`: no colons, which some filesystems and tools reject). When rotation is
 * on, every segment carries a zero-padded index before the extension (`x.000.mcap`, `x.001.mcap`),
 * so a directory listing sorts them in recording order.
 */
export function segmentPath(template: string, startNs: TimestampNs, index: number | undefined): string {
  const date = new Date(Number(startNs / NS_PER_MS)).toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  const path = template.replaceAll('{date}', date);
  if (index === undefined) return path;
  const n = String(index).padStart(3, '0');
  return /\.mcap$/i.test(path) ? path.replace(/\.mcap$/i, `.${n}.mcap`) : `${path}.${n}.mcap`;
}

export function ensureDir(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
}
