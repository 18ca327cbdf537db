import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseConfig, parseYaml } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { wire } from '../config/wiring.ts';
import type { SourceDescription } from '../core/device.ts';
import { ConfigError, describeError } from '../core/errors.ts';
import { isReplayDriver, type LogInfo, type ReplayDriver } from '../core/log-reader.ts';
import type { Logger } from '../core/logger.ts';
import type { Registry } from '../core/registry.ts';
import type { TimestampNs } from '../core/time.ts';
import { Runtime } from '../pipeline/runtime.ts';
import type { ResultPayload } from '../publish/payload-schema.ts';
import { runLockstep } from './lockstep.ts';
import { createPacer, type Speed } from './pacer.ts';
import { SummaryBuilder, type ReplaySummary } from './replay-summary.ts';
import { SteppingClock } from './stepping-clock.ts';

export interface ReplayRunOptions {
  log: string;
  registry: Registry;
  /** The config to run (default: the one embedded in the log) and the directory of its paths. */
  config?: { config: Config; dir: string };
  speed: Speed;
  /** Offsets from the log's start: replay only `[from, to]` (samples and triggers). */
  fromNs?: bigint;
  toNs?: bigint;
  /** Only these sources stream; other configured sources stay silent (their inputs go missing). */
  sources?: readonly string[];
  /** Publish results to this broker (default: replay publishes nothing). */
  mqttUrl?: string;
  logger: Logger;
  /** Every result, in a deterministic order (time, then pipeline). */
  onResult?: (r: ResultPayload) => void;
  onProgress?: (p: { t: TimestampNs; startNs: TimestampNs; endNs: TimestampNs; results: number; lagMs: number }) => void;
  /** Stop early (SIGINT); the summary covers what ran. */
  stopped?: () => boolean;
  /** Wall clock for pacing (tests may inject one). */
  wall?: () => bigint;
}

/**
 * Replays a log through the pipelines of a config on a virtual clock driven by the log (see
 * lockstep.ts), and summarises. Every configured source becomes a replay source; results omit
 * wall-clock stage times, so the output is a pure function of (log, config, models).
 */
export async function replayLog(o: ReplayRunOptions): Promise<ReplaySummary> {
  const driver = o.registry.drivers.get('replay');
  if (!isReplayDriver(driver)) throw new ConfigError('', 'no `replay` driver is registered (src/main.ts must add createReplayDriver)');
  const clock = new SteppingClock(0n);
  // The feed is loaded before the start instant is known; it touches the clock only in fill().
  const probe = await driver.load(o.log, { clock });
  const info = probe.info;
  const truth = await probe.groundTruth().finally(() => probe.close());
  const startNs = info.startNs + (o.fromNs ?? 0n);
  const endNs = o.toNs !== undefined ? info.startNs + o.toNs : info.endNs;
  const { config, dir } = o.config ?? embeddedConfig(info);
  const replayed = prepareConfig(config, info, driver, o);
  const feed = await driver.load(o.log, { clock, sources: replayed.streaming, startNs, endNs });
  clock.jumpTo(startNs);
  const drivers = new Map(o.registry.drivers);
  const wiring = await wire(replayed.config, { ...o.registry, drivers }, dir);
  const summary = new SummaryBuilder(truth);
  let pending: ResultPayload[] = [];
  let results = 0;
  const runtime = new Runtime({
    wiring,
    registry: o.registry,
    clock,
    log: o.logger,
    sinks: [(r) => void pending.push(r)],
    omitStageTimes: true,
    // A virtual clock waits for the worker; keep every set even when one instant yields several.
    lossless: true,
    ...(o.mqttUrl ? { mqttUrl: o.mqttUrl } : {}),
  });
  let pacer = createPacer('max', startNs);
  let wallStart = Date.now();
  try {
    await runtime.start();
    // Pace from here: loading the models is not part of the log's time.
    pacer = createPacer(o.speed, startNs, o.wall);
    wallStart = Date.now();
    await runLockstep({
      clock,
      feed,
      endNs,
      settle: () => runtime.idle(),
      ...(o.speed === 'max' ? {} : { pace: (t) => pacer.wait(t) }),
      ...(o.stopped ? { stopped: o.stopped } : {}),
      onInstant: (t) => {
        // Pipelines run in separate workers: order an instant's results before anyone sees them.
        const batch = pending.sort((a, b) => (a.t_ns === b.t_ns ? (a.pipeline < b.pipeline ? -1 : a.pipeline > b.pipeline ? 1 : a.seq - b.seq) : BigInt(a.t_ns) < BigInt(b.t_ns) ? -1 : 1));
        pending = [];
        for (const r of batch) {
          results++;
          summary.add(r);
          o.onResult?.(r);
        }
        o.onProgress?.({ t, startNs, endNs, results, lagMs: pacer.lagMs() });
      },
    });
  } finally {
    await runtime.stop(5000).catch((err: unknown) => o.logger.warn({ err: describeError(err) }, 'replay shutdown incomplete'));
    await feed.close();
  }
  return summary.build({
    log: o.log,
    format: info.format,
    logSpanNs: endNs - startNs,
    speed: o.speed === 'max' ? 'max' : `${o.speed}x`,
    wallMs: Date.now() - wallStart,
    delivered: feed.delivered(),
    notes: [...info.notes, ...replayed.notes],
  });
}

function embeddedConfig(info: LogInfo): { config: Config; dir: string } {
  if (!info.config) throw new ConfigError('', `${info.path} has no embedded config (a ${info.format} log): pass --config`);
  const config = parseConfig(parseYaml(info.config.yaml, `${info.path} (embedded config)`));
  // Relative paths (models) meant the recording's config directory, relative to where it was recorded.
  const dir = info.config.dir !== undefined && existsSync(resolve(info.config.dir)) ? resolve(info.config.dir) : process.cwd();
  return { config, dir };
}

/**
 * The config as replay runs it: every source becomes `driver: replay` (silent when the log lacks
 * it or the filter excludes it), and replay neither serves metrics nor publishes unless asked.
 */
function prepareConfig(config: Config, info: LogInfo, driver: ReplayDriver, o: ReplayRunOptions): { config: Config; streaming: string[]; notes: string[] } {
  const notes: string[] = [];
  const streaming: string[] = [];
  const sources: Config['sources'] = {};
  for (const id of o.sources ?? []) if (!(id in config.sources)) throw new ConfigError('sources', `--sources names ${JSON.stringify(id)}, which the config does not have (it has ${Object.keys(config.sources).join(', ')})`);
  for (const [id, raw] of Object.entries(config.sources)) {
    const logged = info.sources.find((s) => s.id === id);
    const included = logged !== undefined && (!o.sources || o.sources.includes(id));
    if (included) streaming.push(id);
    else notes.push(logged ? `source ${id} filtered out: silent` : `source ${id} is not in the log: silent`);
    const fallback = logged ? undefined : describeOriginal(o.registry, id, raw);
    sources[id] = { driver: driver.name, log: o.log, source: id, ...(fallback ? { fallback } : {}) };
  }
  const { mqtt: _mqtt, ...outputs } = config.outputs;
  return { config: { ...config, sources, outputs, metrics: { ...config.metrics, enabled: false } }, streaming, notes };
}

function describeOriginal(registry: Registry, id: string, raw: { driver: string }): SourceDescription {
  const d = registry.drivers.get(raw.driver);
  if (!d) throw new ConfigError(`sources.${id}.driver`, `not in the log, and driver ${JSON.stringify(raw.driver)} is unknown, so its modality cannot be told`);
  const { driver: _d, ...rest } = raw;
  return d.describe(d.parseOptions(rest, `sources.${id}`));
}
