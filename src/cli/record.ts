import { readFileSync } from 'node:fs';
import { loadConfigFile } from '../config/load.ts';
import { ConfigError } from '../core/errors.ts';
import type { Registry } from '../core/registry.ts';
import { nsToIso, parseDuration } from '../core/time.ts';
import type { Compression } from '../record/mcap/compression.ts';
import { recordRun } from '../record/record-run.ts';
import { createLogger } from './logger.ts';

export interface RecordOptions {
  out?: string;
  /** Stop after this long (`30s`); required with `virtual`. */
  duration?: string;
  compression?: Compression;
  /** Area-average camera/depth frames by this factor before writing (lossy). */
  downsample?: number;
  /** Rotate files past this many MiB / after this long. */
  rotateMiB?: number;
  rotateEvery?: string;
  /** Record on a virtual clock from this instant (ISO time, ns since the epoch, or `now`). */
  virtual?: string;
  mqtt?: string;
  /** Print the summary as one JSON object. */
  json?: boolean;
}

/**
 * `sensorium record [config] --out x.mcap --duration 30s`: runs the config's pipelines and records
 * every source and result to MCAP (see src/record/README.md). Defaults come from the config's
 * `outputs.record`; flags override them. Resolves with the exit code.
 */
export async function recordCommand(configPath: string, opts: RecordOptions, registry: Registry): Promise<number> {
  const loaded = loadConfigFile(configPath);
  const log = createLogger(loaded.config.log.level);
  const rec = loaded.config.outputs.record;
  const durationNs = opts.duration !== undefined ? positive(opts.duration, '--duration') : undefined;
  const everyText = opts.rotateEvery ?? rec?.rotate?.every;
  const maxBytes = opts.rotateMiB !== undefined ? opts.rotateMiB * 1048576 : rec?.rotate?.maxBytes;
  const rotate = everyText !== undefined || maxBytes !== undefined ? { ...(maxBytes !== undefined ? { maxBytes } : {}), ...(everyText !== undefined ? { everyNs: positive(everyText, 'rotate every') } : {}) } : undefined;
  const virtualStartNs = opts.virtual !== undefined ? parseInstant(opts.virtual) : undefined;
  if (virtualStartNs !== undefined && durationNs === undefined) throw new ConfigError('--duration', 'a --virtual recording needs a --duration');
  let stopRequested = false;
  const stop = new Promise<void>((resolve) => {
    const onSignal = (signal: string): void => {
      if (stopRequested) process.exit(1);
      stopRequested = true;
      log.info({ signal }, 'stopping: closing the log with its summary');
      resolve();
    };
    process.once('SIGINT', () => onSignal('SIGINT'));
    process.once('SIGTERM', () => onSignal('SIGTERM'));
  });
  log.info({ config: loaded.path, out: opts.out ?? rec?.path, virtual: virtualStartNs !== undefined }, 'recording');
  const r = await recordRun({
    config: loaded.config,
    dir: loaded.dir,
    configText: readFileSync(loaded.path, 'utf8'),
    registry,
    out: opts.out ?? rec?.path ?? './var/logs/{date}.mcap',
    ...(durationNs !== undefined ? { durationNs } : {}),
    ...(virtualStartNs !== undefined ? { virtualStartNs } : {}),
    recorder: {
      compression: opts.compression ?? rec?.compression ?? 'zstd',
      chunkSize: rec?.chunkSize ?? 4 << 20,
      downsample: opts.downsample ?? rec?.downsample ?? 1,
      ...(rotate ? { rotate } : {}),
    },
    ...(opts.mqtt ? { mqttUrl: opts.mqtt } : {}),
    logger: log,
    stop,
    stopped: () => stopRequested,
  });
  const spanS = Number(r.endNs - r.startNs) / 1e9;
  const summary = {
    files: r.files,
    start: nsToIso(r.startNs),
    spanS: Math.round(spanS * 1000) / 1000,
    messages: r.messages,
    samples: r.samples,
    results: r.results,
    fileMB: Math.round((r.fileBytes / 1e6) * 100) / 100,
    messageMB: Math.round((r.messageBytes / 1e6) * 100) / 100,
    dropped: r.dropped,
    ...(r.groundTruth ? { groundTruth: r.groundTruth } : {}),
  };
  if (opts.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else {
    const lines = [
      `recorded ${summary.spanS} s to ${r.files.join(', ')}`,
      `  ${r.messages} messages: ${Object.entries(r.samples).map(([id, n]) => `${id} ${n}`).join(', ')}; results ${r.results}`,
      `  ${summary.fileMB} MB on disk (${summary.messageMB} MB of messages before compression)${r.dropped ? `; ${r.dropped} samples dropped (disk too slow)` : ''}`,
      ...(r.groundTruth ? [`  ground truth: ${r.groundTruth}`] : []),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return r.dropped > 0 ? 1 : 0;
}

function positive(text: string, what: string): bigint {
  const ns = parseDuration(text);
  if (ns === undefined || ns <= 0n) throw new ConfigError(what, `expected a positive duration such as "30s" (got ${JSON.stringify(text)})`);
  return ns;
}

/** `now`, an ISO-8601 time, or integer ns since the Unix epoch. */
function parseInstant(text: string): bigint {
  if (text === 'now' || text === '') return BigInt(Date.now()) * 1_000_000n;
  if (/^\d+$/.test(text)) return BigInt(text);
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new ConfigError('--virtual', `expected "now", an ISO time or ns since the epoch (got ${JSON.stringify(text)})`);
  return BigInt(ms) * 1_000_000n;
}
