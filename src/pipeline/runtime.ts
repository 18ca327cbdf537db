import type { Server } from 'node:http';
import type { Wiring } from '../config/wiring.ts';
import { describeError } from '../core/errors.ts';
import { pinProcessThreads, type CpuPlan } from '../core/affinity.ts';
import type { Logger } from '../core/logger.ts';
import type { Registry } from '../core/registry.ts';
import { BufferPool } from '../core/buffer-pool.ts';
import { every, parseDuration, type Clock, type Timer, type TimestampNs } from '../core/time.ts';
import type { ModelInfo } from '../inference/inference-client.ts';
import type { CommandHandler } from '../publish/commands.ts';
import type { MqttPublisher } from '../publish/mqtt-publisher.ts';
import type { ResultPayload } from '../publish/payload-schema.ts';
import type { Topics } from '../publish/topics.ts';
import { bufferCapacities } from './buffer-sizing.ts';
import { FusionPipeline, type ResultSink } from './fusion-pipeline.ts';
import { Metrics, serveMetrics } from './metrics.ts';
import { MqttOutput } from './mqtt-output.ts';
import { SourceRunner } from './source-runner.ts';
import { planThreads } from './thread-plan.ts';
import { LabelChangeTracker, buildHealth, buildStatus } from './status.ts';

export interface RuntimeOptions {
  wiring: Wiring;
  registry: Registry;
  clock: Clock;
  log: Logger;
  /** Extra result sinks (console view, JSONL, tests). */
  sinks?: ResultSink[];
  /** Override `outputs.mqtt` with an external URL (tests, `--mqtt`). */
  mqttUrl?: string;
  /** Override `metrics.port` (0 = any free port). */
  metricsPort?: number;
  omitStageTimes?: boolean;
  /** Queue fusions instead of keep-newest (deterministic replay on a virtual clock). */
  lossless?: boolean;
  /** The config file's folder (relative TLS/spool paths resolve against it). Default: cwd. */
  baseDir?: string;
}

/**
 * The composition of one running Sensorium: sources → synchronizers → inference → publishers, plus
 * MQTT (broker, durable spool, status/health/results/events, commands, HA discovery, Sparkplug B)
 * and metrics. Lifecycle: `start()` validates models before any device opens; `stop()` stops
 * sources, drains in-flight fusions, publishes `offline`, exits clean.
 */
export class Runtime {
  readonly #o: RuntimeOptions;
  readonly metrics: Metrics;
  readonly runners = new Map<string, SourceRunner>();
  readonly pipelines: FusionPipeline[] = [];
  /** Frame buffers shared by sources and pipelines (steady state allocates no frames). */
  readonly pool = new BufferPool();
  readonly #mqtt: MqttOutput | undefined;
  readonly #events: LabelChangeTracker;
  readonly #lastResults = new Map<string, ResultPayload>();
  #metricsServer: Server | undefined;
  #metricsPort: number | undefined;
  #healthTimer: Timer | undefined;
  #startedAt: TimestampNs = 0n;
  #infos: { pipeline: FusionPipeline; info: ModelInfo }[] = [];
  #stopping: Promise<void> | undefined;
  #cpus: CpuPlan | undefined;

  constructor(o: RuntimeOptions) {
    this.#o = o;
    this.metrics = new Metrics(o.registry.version);
    const { wiring, clock, log } = o;
    const cfg = wiring.config;
    if (wiring.mqtt || o.mqttUrl) {
      this.#mqtt = new MqttOutput({
        config: wiring.mqtt,
        ...(o.mqttUrl ? { urlOverride: o.mqttUrl } : {}),
        device: cfg.device.id,
        site: cfg.device.site,
        version: o.registry.version,
        baseDir: o.baseDir ?? process.cwd(),
        log,
      });
    }
    const mqtt = this.#mqtt;
    this.#events = new LabelChangeTracker((p) => mqtt?.nextSeq(`${p}/event`) ?? 0);
    const capacities = bufferCapacities(wiring);
    const threads = planThreads(cfg.inference, wiring.pipelines.length);
    const cpus = threads.cpus;
    this.#cpus = cpus;
    for (const [id, ws] of wiring.sources) this.runners.set(id, new SourceRunner(ws, clock, log, this.metrics, this.pool));
    const readers = new Map<string, number>();
    for (const wp of wiring.pipelines) for (const id of new Set(wp.inputs.map((i) => i.sourceId))) readers.set(id, (readers.get(id) ?? 0) + 1);
    const exclusive = new Set([...readers].filter(([, n]) => n === 1).map(([id]) => id));
    const sinks: ResultSink[] = [(r) => this.#publishResult(r), ...(o.sinks ?? [])];
    for (const wp of wiring.pipelines) {
      const runners = new Map(wp.inputs.map((i) => [i.sourceId, this.runners.get(i.sourceId) as SourceRunner]));
      this.pipelines.push(
        new FusionPipeline({
          wired: wp,
          device: cfg.device.id,
          runners,
          clock,
          log,
          metrics: this.metrics,
          preprocessModule: o.registry.preprocessModule,
          intraOpThreads: cfg.inference.threads,
          nice: cfg.inference.nice,
          preprocessThreads: threads.preprocessThreads,
          ...(cpus ? { affinity: { cpus: cpus.inference, ...(cpus.rest.length ? { helperCpus: cpus.rest } : {}) } } : {}),
          sinks,
          bufferCapacity: (id) => capacities.get(id),
          pool: this.pool,
          exclusiveSources: exclusive,
          // Seq continues after a restart: subscribers dedupe by seq across the spool's replay.
          startSeq: mqtt?.nextSeq(`${wp.name}/result`) ?? 0,
          ...(o.omitStageTimes ? { omitStageTimes: true } : {}),
          ...(o.lossless ? { lossless: true } : {}),
        }),
      );
    }
  }

  get mqttUrl(): string | undefined {
    return this.#mqtt?.url;
  }

  get metricsPort(): number | undefined {
    return this.#metricsPort;
  }

  get topics(): Topics | undefined {
    return this.#mqtt?.topics;
  }

  get publisher(): MqttPublisher | undefined {
    return this.#mqtt?.publisher;
  }

  get mqtt(): MqttOutput | undefined {
    return this.#mqtt;
  }

  async start(): Promise<void> {
    const { wiring, clock, log } = this.#o;
    const cfg = wiring.config;
    this.#startedAt = clock.now();
    if (cfg.metrics.enabled) {
      const { server, port } = await serveMetrics(this.metrics, cfg.metrics.host, this.#o.metricsPort ?? cfg.metrics.port);
      this.#metricsServer = server;
      this.#metricsPort = port;
      log.info({ url: `http://${cfg.metrics.host}:${port}/metrics` }, 'metrics listening');
    }
    await this.#pin();
    // Models first: a bad model set fails before any device opens.
    for (const p of this.pipelines) this.#infos.push({ pipeline: p, info: await p.load() });
    await this.#mqtt?.start({
      offline: this.#status('offline'),
      commands: this.#commands(),
      pipelines: this.#infos.map(({ pipeline, info }) => ({ name: pipeline.name, labels: info.labels, modalities: info.modalities })),
    });
    for (const r of this.runners.values()) await r.start();
    for (const p of this.pipelines) await p.start();
    this.#mqtt?.publishStatus(this.#status('online'));
    const healthEvery = parseDuration(wiring.mqtt?.healthEvery ?? '5s') ?? 5_000_000_000n;
    this.#healthTimer = every(clock, clock.now() + healthEvery, healthEvery, () => this.#mqtt?.publishHealth(this.health()));
    log.info({ pipelines: this.pipelines.map((p) => p.name), sources: [...this.runners.keys()] }, 'sensorium running');
  }

  /** This process's threads onto the CPUs inference leaves (the workers pin themselves as they start). */
  async #pin(): Promise<void> {
    const plan = this.#cpus;
    if (!plan) return;
    const { log } = this.#o;
    try {
      if (plan.rest.length) await pinProcessThreads(plan.rest, this.#o.wiring.config.inference.nice);
      log.info({ inference: plan.inference, rest: plan.rest }, 'inference pinned to its CPUs');
    } catch (err) {
      log.warn({ err: describeError(err) }, 'inference.cpus: could not run taskset (util-linux); threads stay unpinned');
    }
  }

  #status(state: 'online' | 'offline'): ReturnType<typeof buildStatus> {
    const { wiring, clock, registry } = this.#o;
    const cfg = wiring.config;
    return buildStatus({
      state,
      t: clock.now(),
      device: cfg.device.id,
      site: cfg.device.site,
      version: registry.version,
      ...(state === 'online'
        ? { pipelines: this.#infos.map(({ pipeline, info }) => ({ wired: wiring.pipelines.find((w) => w.name === pipeline.name) as Wiring['pipelines'][number], info })) }
        : {}),
    });
  }

  /** `cmd/snapshot`: health and the last result per pipeline; `cmd/reload-models`: fresh workers. */
  #commands(): Map<string, CommandHandler> {
    return new Map<string, CommandHandler>([
      ['snapshot', () => ({ health: this.health(), last: Object.fromEntries(this.#lastResults) })],
      [
        'reload-models',
        async (args) => {
          const only = typeof args.pipeline === 'string' ? args.pipeline : undefined;
          const targets = this.pipelines.filter((p) => only === undefined || p.name === only);
          if (targets.length === 0) throw new Error(`no pipeline named ${JSON.stringify(only)}`);
          const out: Record<string, unknown> = {};
          for (const p of targets) {
            const info = await p.reload();
            const entry = this.#infos.find((x) => x.pipeline === p);
            if (entry) entry.info = info;
            out[p.name] = { name: info.name, version: info.version, sha256: info.files };
          }
          this.#mqtt?.publishStatus(this.#status('online'));
          return out;
        },
      ],
    ]);
  }

  /** The health payload (also what refreshes the MQTT gauges of /metrics). */
  health(): ReturnType<typeof buildHealth> {
    const h = buildHealth({
      t: this.#o.clock.now(),
      startedAt: this.#startedAt,
      runners: this.runners.values(),
      pipelines: this.pipelines,
      mqtt: this.#mqtt?.stats(),
      eventLoopLagMs: this.metrics.eventLoopLagMs(true),
    });
    const m = this.metrics;
    m.mqttConnected.set(h.mqtt.connected ? 1 : 0);
    m.mqttQueued.set(h.mqtt.queued);
    m.mqttInflight.set(h.mqtt.inflight);
    m.mqttDropped.set(h.mqtt.dropped);
    return h;
  }

  #publishResult(r: ResultPayload): void {
    this.#lastResults.set(r.pipeline, r);
    const mqtt = this.#mqtt;
    if (!mqtt) return;
    mqtt.publishResult(r, this.#o.wiring.mqtt?.qos ?? 1);
    const ev = this.#events.next(r.pipeline, r.label, r.score, BigInt(r.t_ns));
    if (ev) mqtt.publishEvent(ev);
  }

  /** Resolves when no fusion is running or waiting in any pipeline. */
  async idle(): Promise<void> {
    await Promise.all(this.pipelines.map((p) => p.idle()));
  }

  /** Stop sources, drain in-flight fusions, publish `offline`, disconnect; bounded by `timeoutMs`. */
  stop(timeoutMs = 8000): Promise<void> {
    this.#stopping ??= this.#stop(timeoutMs);
    return this.#stopping;
  }

  async #stop(timeoutMs: number): Promise<void> {
    const { log } = this.#o;
    const share = Math.max(500, Math.floor(timeoutMs / 4));
    this.#healthTimer?.cancel();
    await Promise.allSettled([...this.runners.values()].map((r) => withTimeout(r.stop(), share)));
    await Promise.allSettled(this.pipelines.map((p) => p.stop(share)));
    try {
      await this.#mqtt?.stop(this.#status('offline'), share);
    } catch (err) {
      log.warn({ err: describeError(err) }, 'mqtt shutdown incomplete');
    }
    this.metrics.stop();
    if (this.#metricsServer) {
      this.#metricsServer.closeAllConnections();
      await new Promise<void>((resolve) => this.#metricsServer?.close(() => resolve()));
    }
    log.info('sensorium stopped');
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([p, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms).unref())]);
}
