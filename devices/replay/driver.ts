import { ConfigError, DeviceError, type Clock, type DeviceAdapter, type DeviceContext, type DeviceListing, type SourceDescription } from '../../src/core/index.ts';
import type { GroundTruthOracle, LogInfo, LogOpener, ReplayDriver, ReplayFeed, ReplayLoadOptions, ReplaySourceOptions } from '../../src/core/log-reader.ts';
import { groundTruthFor } from './ground-truth.ts';
import { parseReplayOptions } from './options.ts';
import { ReplaySession } from './session.ts';

export interface ReplayDriverDeps {
  /** Reads a log file (the MCAP implementation, handed in by src/main.ts). */
  openLog: LogOpener;
  /** Ground truth of configured sources, for the recorder. Default: the simulator's. */
  groundTruthFor?: GroundTruthOracle;
}

/**
 * `replay`: sources that stream from a recorded log on a virtual clock. `load(log, { clock })`
 * starts one session per (clock, log) — concurrent replays of the same file stay independent —
 * and `open()` attaches a configured source to the session of its context's clock.
 */
export function createReplayDriver(deps: ReplayDriverDeps): ReplayDriver {
  const sessions = new WeakMap<Clock, Map<string, ReplaySession>>();
  const infos = new Map<string, LogInfo>();
  return {
    name: 'replay',

    parseOptions: parseReplayOptions,

    describe(o: ReplaySourceOptions): SourceDescription {
      // Replayed samples keep the stamps they were recorded with (a device clock was already
      // mapped onto the host timeline when recording): re-syncing would change them.
      const found = infos.get(o.log)?.sources.find((s) => s.id === o.source);
      if (found) return { ...found.description, clock: 'recorded' };
      if (o.fallback) return { ...o.fallback, clock: 'recorded' };
      throw new ConfigError('source', `replay source ${JSON.stringify(o.source)}: ${infos.has(o.log) ? 'not in the log' : 'log not loaded'} (${o.log})`);
    },

    list(): Promise<DeviceListing> {
      return Promise.resolve({ devices: [], problems: ['replay sources are created by `sensorium replay <log.mcap>`'] });
    },

    open(o: ReplaySourceOptions, ctx: DeviceContext): Promise<DeviceAdapter> {
      const session = sessions.get(ctx.clock)?.get(o.log);
      if (!session) return Promise.reject(new DeviceError(`replay source ${ctx.sourceId}: no replay of ${o.log} is loaded on this clock (use \`sensorium replay\`)`));
      return Promise.resolve(session.open(o.source, ctx));
    },

    async load(path: string, lo: ReplayLoadOptions): Promise<ReplayFeed> {
      const reader = await deps.openLog(path);
      infos.set(path, reader.info);
      const byLog = sessions.get(lo.clock) ?? new Map<string, ReplaySession>();
      sessions.set(lo.clock, byLog);
      const query = { ...(lo.sources ? { sources: lo.sources } : {}), ...(lo.startNs !== undefined ? { startNs: lo.startNs } : {}), ...(lo.endNs !== undefined ? { endNs: lo.endNs } : {}) };
      const session = await ReplaySession.start(reader, lo.clock, query, () => byLog.delete(path));
      byLog.set(path, session);
      return session;
    },

    groundTruthFor: deps.groundTruthFor ?? groundTruthFor,
  };
}
