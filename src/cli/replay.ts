import { createWriteStream, type WriteStream } from 'node:fs';
import { loadConfigFile } from '../config/load.ts';
import { ConfigError } from '../core/errors.ts';
import type { Registry } from '../core/registry.ts';
import { parseDuration } from '../core/time.ts';
import { parseSpeed } from '../record/pacer.ts';
import { replayLog } from '../record/replay-run.ts';
import type { ReplaySummary } from '../record/replay-summary.ts';
import { createLogger } from './logger.ts';

export interface ReplayOptions {
  config?: string;
  /** `1` (default), `10`, `0.5`, `max`. */
  speed?: string;
  /** Offsets from the log's start, e.g. `2s`. */
  from?: string;
  to?: string;
  /** Comma-separated source ids to stream (others stay silent). */
  sources?: string;
  /** Results as JSON lines (`-` = stdout). */
  out?: string;
  mqtt?: string;
  json?: boolean;
  /** Show the progress bar (default: when stderr is a terminal). */
  progress?: boolean;
}

/**
 * `sensorium replay x.mcap [--config c.yaml] [--speed max] [--out results.jsonl]`: replays a log
 * through the pipelines on a virtual clock driven by the log; results are identical at any speed.
 * Progress on stderr when it is a terminal; a final summary (sets, results, accuracy when the log
 * has ground truth, drops, lineage). Resolves with the exit code.
 */
export async function replayCommand(logPath: string, opts: ReplayOptions, registry: Registry): Promise<number> {
  const loaded = opts.config ? loadConfigFile(opts.config) : undefined;
  const log = createLogger(loaded?.config.log.level ?? 'warn');
  const speed = parseSpeed(opts.speed ?? '1');
  if (speed === undefined) throw new ConfigError('--speed', `expected a positive number (1, 10, 0.5) or "max" (got ${JSON.stringify(opts.speed)})`);
  const toStdout = opts.out === '-';
  const out: WriteStream | undefined = opts.out && !toStdout ? createWriteStream(opts.out) : undefined;
  const showProgress = opts.progress ?? Boolean(process.stderr.isTTY);
  const bar = showProgress ? progressBar(process.stderr, speed === 'max' ? 'max' : `${speed}x`) : undefined;
  let stop = false;
  process.once('SIGINT', () => (stop = true));
  let summary: ReplaySummary;
  try {
    summary = await replayLog({
      log: logPath,
      registry,
      ...(loaded ? { config: { config: loaded.config, dir: loaded.dir } } : {}),
      speed,
      ...(opts.from !== undefined ? { fromNs: offset(opts.from, '--from') } : {}),
      ...(opts.to !== undefined ? { toNs: offset(opts.to, '--to') } : {}),
      ...(opts.sources ? { sources: opts.sources.split(',').map((s) => s.trim()).filter(Boolean) } : {}),
      ...(opts.mqtt ? { mqttUrl: opts.mqtt } : {}),
      logger: log,
      onResult: (r) => {
        const line = `${JSON.stringify(r)}\n`;
        if (out) out.write(line);
        else if (toStdout) process.stdout.write(line);
      },
      ...(bar ? { onProgress: bar.update } : {}),
      stopped: () => stop,
    });
  } finally {
    bar?.done();
    if (out) await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
  const target = toStdout ? process.stderr : process.stdout;
  target.write(opts.json ? `${JSON.stringify(summary)}\n` : formatSummary(summary));
  // Nothing replayed (e.g. a rosbag2 without sensor topics: see the notes): say so in the exit code.
  return Object.values(summary.delivered).reduce((a, n) => a + n, 0) === 0 ? 1 : 0;
}

function offset(text: string, what: string): bigint {
  const ns = parseDuration(text);
  if (ns === undefined) throw new ConfigError(what, `expected a duration from the log's start such as "2s" (got ${JSON.stringify(text)})`);
  return ns;
}

export function formatSummary(s: ReplaySummary): string {
  const pct = (x: number | null): string => (x === null ? 'n/a' : `${(x * 100).toFixed(1)} %`);
  const lines = [
    `replayed ${s.log} (${s.format}): ${s.logSpanS} s of log in ${s.wallS} s wall (${s.speed}, achieved ${s.achievedSpeed}×)`,
    `  sets ${s.sets}, results ${s.results}${Object.entries(s.perPipeline).map(([p, v]) => `; ${p}: ${Object.entries(v.labels).map(([l, n]) => `${l} ${n}`).join(', ')}`).join('')}`,
  ];
  if (s.accuracy) {
    lines.push(`  accuracy vs ${s.accuracy.truth}: ${pct(s.accuracy.all.accuracy)} (${s.accuracy.all.correct}/${s.accuracy.all.n}); settled (≥1 s from a change) ${pct(s.accuracy.settled.accuracy)} (${s.accuracy.settled.correct}/${s.accuracy.settled.n})`);
  }
  const srcDrops = Object.entries(s.drops.sources).map(([id, d]) => `${id} ${Object.entries(d).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(' ') || '0'}`);
  lines.push(`  drops: inference ${s.drops.inference}${srcDrops.length ? `; ${srcDrops.join('; ')}` : ''}`);
  lines.push(`  mask: ${Object.entries(s.lineage.mask).map(([m, c]) => `${m} ${c.fresh}/${c.held}/${c.missing}`).join(', ')} (fresh/held/missing)`);
  lines.push(`  age p50/p99 ms: ${Object.entries(s.lineage.ageMs).map(([id, q]) => `${id} ${q.p50}/${q.p99}`).join(', ') || 'none'}; skew ${s.lineage.skewMs.p50}/${s.lineage.skewMs.p99}`);
  lines.push(`  delivered: ${Object.entries(s.delivered).map(([id, n]) => `${id} ${n}`).join(', ') || 'nothing'}`);
  for (const n of s.notes) lines.push(`  note: ${n}`);
  return `${lines.join('\n')}\n`;
}

/** A one-line bar on a terminal, redrawn at most 10×/s. */
function progressBar(out: NodeJS.WriteStream, speed: string): { update: (p: { t: bigint; startNs: bigint; endNs: bigint; results: number; lagMs: number }) => void; done: () => void } {
  let last = 0;
  let drawn = false;
  let latest: Parameters<typeof draw>[0] | undefined;
  const draw = (p: { t: bigint; startNs: bigint; endNs: bigint; results: number; lagMs: number }): void => {
    const span = Number(p.endNs - p.startNs) / 1e9;
    const at = Number(p.t - p.startNs) / 1e9;
    const f = span > 0 ? Math.min(1, Math.max(0, at / span)) : 1;
    const w = 30;
    const full = Math.round(f * w);
    out.write(`\r[${'#'.repeat(full)}${'-'.repeat(w - full)}] ${(f * 100).toFixed(0).padStart(3)}% ${at.toFixed(1)}/${span.toFixed(1)} s  ${speed}  results ${p.results}${p.lagMs > 50 ? `  lag ${p.lagMs.toFixed(0)} ms` : ''}   `);
    drawn = true;
  };
  return {
    update(p) {
      latest = p;
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      draw(p);
    },
    done() {
      if (latest) draw(latest); // where it ended (the end, unless stopped)
      if (drawn) out.write('\n');
    },
  };
}
