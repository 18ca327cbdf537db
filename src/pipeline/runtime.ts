import type { Server } from 'node:http';
import type { Wiring } from '../config/wiring.ts';
import { describeError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Registry } from '../core/registry.ts';
import { every, parseDuration, type Clock, type Timer, type TimestampNs } from '../core/time.ts';
import type { ModelInfo } from '../inference/inference-client.ts';
import { EmbeddedBroker } from '../publish/embedded-broker.ts';
import { MqttPublisher } from '../publish/mqtt-publisher.ts';
import type { ResultPayload } from '../publish/payload-schema.ts';
import { MemorySpool } from '../publish/spool.ts';
import { Topics } from '../publish/topics.ts';
import { bufferCapacities } from './buffer-sizing.ts';
import { FusionPipeline, type ResultSink } from './fusion-pipeline.ts';
import { Metrics, serveMetrics } from './metrics.ts';
import { SourceRunner } from './source-runner.ts';
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
}

/**
 * The composition of one running Sensorium: sources → buffers → pipelines → publishers, plus the
 * embedded broker, status/health, and metrics. Lifecycle: `start()` validates models before any
 * device opens; `stop()` stops sources, drains in-flight fusions, publishes `offline`, exits clean.
 */
export class Runtime {
  readonly #o: RuntimeOptions;
  readonly metrics: Metrics;
  readonly runners = new Map<string, SourceRunner>();
  readonly pipelines: FusionPipeline[] = [];
  #broker: EmbeddedBroker | undefined;
  #publisher: MqttPublisher | undefined;
  #topics: Topics | undefined;
  #metricsServer: Server | undefined;
  #metricsPort: number | undefined;
  #healthTimer: Timer | undefined;
  #startedAt: TimestampNs = 0n;
  #infos: { pipeline: FusionPipeline; info: ModelInfo }[] = [];
  #events = new LabelChangeTracker();
  #stopping: Promise<void> | undefined;

  constructor(o: RuntimeOptions) {
    this.#o = o;
    this.metrics = new Metrics(o.registry.version);
    const { wiring, clock, log } = o;
    const capacities = bufferCapacities(wiring);
    for (const [id, ws] of wiring.sources) this.runners.set(id, new SourceRunner(ws, clock, log, this.metrics));
    const sinks: ResultSink[] = [(r) => this.#publishResult(r), ...(o.sinks ?? [])];
    for (const wp of wiring.pipelines) {
      const runners = new Map(wp.inputs.map((i) => [i.sourceId, this.runners.get(i.sourceId) as SourceRunner]));
      this.pipelines.push(
        new FusionPipeline({
          wired: wp,
          device: wiring.config.device.id,
          runners,
          clock,
          log,
          metrics: this.metrics,
          preprocessModule: o.registry.preprocessModule,
          intraOpThreads: wiring.config.inference.threads,
          sinks,
          bufferCapacity: (id) => capacities.get(id),
          ...(o.omitStageTimes ? { omitStageTimes: true } : {}),
        }),
      );
    }
  }

  get mqttUrl(): string | undefined {
    return this.#o.mqttUrl ?? this.#broker?.url ?? this.#o.wiring.mqtt?.url;
  }

  get metricsPort(): number | undefined {
    return this.#metricsPort;
  }

  get topics(): Topics | undefined {
    return this.#topics;
  }

  get publisher(): MqttPublisher | undefined {
    return this.#publisher;
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
    // Models first: a bad model set fails before any device opens.
    for (const p of this.pipelines) this.#infos.push({ pipeline: p, info: await p.load() });
    await this.#startMqtt();
    for (const r of this.runners.values()) await r.start();
    for (const p of this.pipelines) await p.start();
    this.#publishStatus('online');
    const mqtt = wiring.mqtt;
    const healthEvery = parseDuration(mqtt?.healthEvery ?? '5s') ?? 5_000_000_000n;
    this.#healthTimer = every(clock, clock.now() + healthEvery, healthEvery, () => this.#publishHealth());
    log.info({ pipelines: this.pipelines.map((p) => p.name), sources: [...this.runners.keys()] }, 'sensorium running');
  }

  async #startMqtt(): Promise<void> {
    const { wiring, log, clock } = this.#o;
    const cfg = wiring.config;
    const mqtt = wiring.mqtt;
    if (!mqtt && !this.#o.mqttUrl) return;
    let url = this.#o.mqttUrl;
    if (!url && mqtt?.broker === 'embedded') {
      this.#broker = new EmbeddedBroker({ host: mqtt.host, port: mqtt.port });
      await this.#broker.start();
      url = this.#broker.url;
      log.info({ url }, 'embedded MQTT broker (aedes, MQTT 3.1.1) listening');
    }
    url ??= mqtt?.url;
    if (!url) return;
    this.#topics = new Topics({ prefix: mqtt?.prefix ?? 'sensorium', site: cfg.device.site, device: cfg.device.id });
    const offline = buildStatus({ state: 'offline', t: clock.now(), device: cfg.device.id, site: cfg.device.site, version: this.#o.registry.version });
    this.#publisher = new MqttPublisher({
      url,
      clientId: mqtt?.clientId ?? `sensorium-${cfg.device.id}`,
      protocol: this.#broker ? '3.1.1' : (mqtt?.protocol ?? 'auto'),
      ...(mqtt?.username ? { username: mqtt.username } : {}),
      ...(mqtt?.passwordEnv ? { password: process.env[mqtt.passwordEnv] as string } : {}),
      will: { topic: this.#topics.status(), payload: JSON.stringify(offline), qos: 1, retain: true, schema: 'sensorium.status/1' },
      spool: new MemorySpool({ maxEntries: mqtt?.maxQueued ?? 100_000 }),
      maxInflight: mqtt?.maxInflight ?? 100,
      log,
    });
    await this.#publisher.start();
  }

  #publishStatus(state: 'online' | 'offline'): void {
    const { wiring, clock } = this.#o;
    const cfg = wiring.config;
    if (!this.#publisher || !this.#topics) return;
    const payload = buildStatus({
      state,
      t: clock.now(),
      device: cfg.device.id,
      site: cfg.device.site,
      version: this.#o.registry.version,
      ...(state === 'online' ? { pipelines: this.#infos.map(({ pipeline, info }) => ({ wired: wiring.pipelines.find((w) => w.name === pipeline.name) as Wiring['pipelines'][number], info })) } : {}),
    });
    this.#publisher.publish({ topic: this.#topics.status(), payload: JSON.stringify(payload), qos: 1, retain: true, schema: 'sensorium.status/1' });
  }

  /** Builds the health payload (also what `/metrics` gauges are refreshed from). */
  health(): ReturnType<typeof buildHealth> {
    const h = buildHealth({
      t: this.#o.clock.now(),
      startedAt: this.#startedAt,
      runners: this.runners.values(),
      pipelines: this.pipelines,
      mqtt: this.#publisher?.stats(),
      eventLoopLagMs: this.metrics.eventLoopLagMs(true),
    });
    const m = this.metrics;
    m.mqttConnected.set(h.mqtt.connected ? 1 : 0);
    m.mqttQueued.set(h.mqtt.queued);
    m.mqttInflight.set(h.mqtt.inflight);
    m.mqttDropped.set(h.mqtt.dropped);
    return h;
  }

  #publishHealth(): void {
    const h = this.health();
    if (this.#publisher && this.#topics) {
      this.#publisher.publish({ topic: this.#topics.health(), payload: JSON.stringify(h), qos: 1, retain: true, schema: 'sensorium.health/1' });
    }
  }

  #publishResult(r: ResultPayload): void {
    const pub = this.#publisher;
    const topics = this.#topics;
    if (!pub || !topics) return;
    const mqtt = this.#o.wiring.mqtt;
    const expiry = mqtt?.resultExpiry ? Number((parseDuration(mqtt.resultExpiry) ?? 0n) / 1_000_000_000n) : undefined;
    pub.publish({ topic: topics.result(r.pipeline), payload: JSON.stringify(r), qos: mqtt?.qos ?? 1, schema: 'sensorium.result/1', ...(expiry ? { expirySec: expiry } : {}) });
    const ev = this.#events.next(r.pipeline, r.label, r.score, BigInt(r.t_ns));
    if (ev) pub.publish({ topic: topics.event(r.pipeline), payload: JSON.stringify(ev), qos: 1, schema: 'sensorium.event/1' });
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
    if (this.#publisher && this.#topics) {
      const cfg = this.#o.wiring.config;
      const offline = buildStatus({ state: 'offline', t: this.#o.clock.now(), device: cfg.device.id, site: cfg.device.site, version: this.#o.registry.version });
      try {
        await this.#publisher.stop(share, { topic: this.#topics.status(), payload: JSON.stringify(offline), qos: 1, retain: true, schema: 'sensorium.status/1' });
      } catch (err) {
        log.warn({ err: describeError(err) }, 'mqtt shutdown incomplete');
      }
    }
    await this.#broker?.stop();
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
