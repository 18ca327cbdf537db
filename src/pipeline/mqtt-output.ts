import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sizeBytes, type MqttOutputConfig } from '../config/schema.ts';
import { ConfigError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { parseDuration } from '../core/time.ts';
import { CommandServer, type CommandHandler } from '../publish/commands.ts';
import { EmbeddedBroker } from '../publish/embedded-broker.ts';
import { FileSpool } from '../publish/file-spool.ts';
import { haDiscoveryMessages } from '../publish/ha-discovery.ts';
import { MqttPublisher, type MqttPublisherOptions } from '../publish/mqtt-publisher.ts';
import type { EventPayload, HealthPayload, ResultPayload, StatusPayload } from '../publish/payload-schema.ts';
import type { PublisherStats } from '../publish/publisher.ts';
import { SparkplugNode } from '../publish/sparkplug-node.ts';
import { MemorySpool, type Spool } from '../publish/spool.ts';
import { SystemBroker } from '../publish/system-broker.ts';
import { Topics } from '../publish/topics.ts';

export interface MqttOutputOptions {
  config: MqttOutputConfig | undefined;
  /** Overrides the broker settings with this URL (tests, `--mqtt`). */
  urlOverride?: string;
  device: string;
  site: string;
  version: string;
  /** The config file's folder: relative paths (TLS files, spool dir) resolve against it. */
  baseDir: string;
  log: Logger;
}

/** `$STATE_DIRECTORY` (systemd StateDirectory=) or ./var: where spool, bdSeq and broker state live. */
export function stateRoot(): string {
  return process.env.STATE_DIRECTORY?.split(':')[0] ?? resolve('var');
}

const readPem = (base: string, path: string | undefined, field: string): Buffer | undefined => {
  if (!path) return undefined;
  try {
    return readFileSync(resolve(base, path));
  } catch (err) {
    throw new ConfigError(field, `cannot read ${resolve(base, path)} (${(err as NodeJS.ErrnoException).code ?? err})`, { cause: err });
  }
};

/**
 * Everything MQTT of one runtime, per the v1 contract: the broker (embedded aedes, system
 * mosquitto, or external), the publisher with its durable spool, status/health/result/event
 * topics, commands, and the opt-in Home Assistant discovery and Sparkplug B edge node.
 */
export class MqttOutput {
  readonly topics: Topics;
  readonly spool: Spool;
  readonly #o: MqttOutputOptions;
  readonly #connection: Partial<MqttPublisherOptions>;
  #broker: EmbeddedBroker | SystemBroker | undefined;
  #publisher: MqttPublisher | undefined;
  #sparkplug: SparkplugNode | undefined;
  #commands: CommandServer | undefined;
  #url: string | undefined;
  #lastError: string | undefined;
  #expirySec: number | undefined;

  /** Reads TLS files and opens the spool; config problems throw ConfigError before anything connects. */
  constructor(o: MqttOutputOptions) {
    this.#o = o;
    const c = o.config;
    this.topics = new Topics({ prefix: c?.prefix ?? 'sensorium', site: o.site, device: o.device });
    const tls = c?.tls;
    let password: string | undefined;
    if (c?.passwordEnv) password = process.env[c.passwordEnv];
    if (c?.passwordFile) {
      try {
        password = readFileSync(resolve(o.baseDir, c.passwordFile), 'utf8').trim();
      } catch (err) {
        throw new ConfigError('outputs.mqtt.passwordFile', `cannot read ${resolve(o.baseDir, c.passwordFile)} (${(err as NodeJS.ErrnoException).code ?? err})`);
      }
    }
    this.#connection = {
      ...(c?.username ? { username: c.username } : {}),
      ...(password !== undefined ? { password } : {}),
      ...(tls
        ? {
            tls: {
              ...(tls.ca ? { ca: readPem(o.baseDir, tls.ca, 'outputs.mqtt.tls.ca') } : {}),
              ...(tls.cert ? { cert: readPem(o.baseDir, tls.cert, 'outputs.mqtt.tls.cert') } : {}),
              ...(tls.key ? { key: readPem(o.baseDir, tls.key, 'outputs.mqtt.tls.key') } : {}),
              rejectUnauthorized: tls.rejectUnauthorized,
              ...(tls.servername ? { servername: tls.servername } : {}),
            },
          }
        : {}),
    };
    if (tls?.cert && !tls.key) throw new ConfigError('outputs.mqtt.tls.key', 'a client certificate needs its key');
    const expiry = c?.resultExpiry ? parseDuration(c.resultExpiry) : undefined;
    this.#expirySec = expiry ? Math.max(1, Number(expiry / 1_000_000_000n)) : undefined;
    const sp = c?.spool ?? { maxBytes: '64MiB', maxAge: '7d', fsync: '200ms' };
    if (sp === false || (!c && !o.urlOverride)) {
      this.spool = new MemorySpool({ maxEntries: c?.maxQueued ?? 100_000 });
    } else {
      const dir = sp.dir ? resolve(o.baseDir, sp.dir) : join(stateRoot(), 'spool', o.device);
      this.spool = new FileSpool({
        dir,
        maxBytes: sizeBytes(sp.maxBytes),
        maxAgeMs: Number((parseDuration(sp.maxAge) ?? 0n) / 1_000_000n),
        fsyncIntervalMs: Number((parseDuration(sp.fsync) ?? 200_000_000n) / 1_000_000n),
        log: o.log,
        onDrop: () => undefined,
      });
      const rec = (this.spool as FileSpool).recovered;
      if (rec.entries > 0) o.log.info({ dir, entries: rec.entries }, 'spool: resuming unacknowledged messages from a previous run');
    }
  }

  /** Seq to continue a stream from (after a restart, the spool remembers the last one). */
  nextSeq(stream: string): number {
    const last = this.spool.lastSeq(stream);
    return last === undefined ? 0 : last + 1;
  }

  get url(): string | undefined {
    return this.#url;
  }

  get publisher(): MqttPublisher | undefined {
    return this.#publisher;
  }

  get commands(): CommandServer | undefined {
    return this.#commands;
  }

  async start(args: { offline: StatusPayload; commands: ReadonlyMap<string, CommandHandler>; pipelines: readonly { name: string; labels: readonly string[]; modalities: readonly string[] }[] }): Promise<void> {
    const { config: c, log } = this.#o;
    let url = this.#o.urlOverride;
    if (!url && c?.broker === 'embedded') {
      const b = new EmbeddedBroker({ host: c.host, port: c.port });
      await b.start();
      this.#broker = b;
      url = b.url;
      log.info({ url }, 'embedded MQTT broker (aedes, MQTT 3.1.1) listening');
    } else if (!url && c?.broker === 'system') {
      const b = new SystemBroker({ host: c.host, port: c.port, stateDir: join(stateRoot(), 'mosquitto', this.#o.device), log });
      await b.start();
      this.#broker = b;
      url = b.url;
    }
    url ??= c?.url;
    if (!url) return;
    this.#url = url;
    const willDelay = parseDuration(c?.willDelay ?? '5s') ?? 5_000_000_000n;
    const pub = new MqttPublisher({
      url,
      clientId: c?.clientId ?? `sensorium-${this.#o.device}`,
      protocol: this.#broker instanceof EmbeddedBroker ? '3.1.1' : (c?.protocol ?? 'auto'),
      ...this.#connection,
      will: { topic: this.topics.status(), payload: JSON.stringify(args.offline), qos: 1, retain: true, schema: 'sensorium.status/1' },
      willDelaySec: Number(willDelay / 1_000_000_000n),
      spool: this.spool,
      maxInflight: c?.maxInflight ?? 100,
      reconnectMinMs: Number((parseDuration(c?.reconnect.min ?? '500ms') ?? 500_000_000n) / 1_000_000n),
      reconnectMaxMs: Number((parseDuration(c?.reconnect.max ?? '30s') ?? 30_000_000_000n) / 1_000_000n),
      log,
    });
    pub.onError((e) => (this.#lastError = e));
    pub.onConnect(() => (this.#lastError = undefined));
    if (c?.commands !== false) {
      const server = new CommandServer({ base: this.topics.base, handlers: args.commands, publish: (m) => pub.publish(m), log });
      pub.subscribe(server.filter, (m) => void server.handle(m));
      this.#commands = server;
    }
    if (c?.homeAssistant?.enabled) {
      const ha = haDiscoveryMessages({ prefix: c.homeAssistant.prefix, topics: this.topics, device: this.#o.device, site: this.#o.site, version: this.#o.version, pipelines: args.pipelines });
      for (const m of ha) pub.publish(m);
    }
    this.#publisher = pub;
    await pub.start();
    if (c?.sparkplug) {
      this.#sparkplug = new SparkplugNode({
        url,
        group: c.sparkplug.group,
        node: c.sparkplug.node ?? this.#o.device,
        version: this.#o.version,
        pipelines: args.pipelines,
        stateDir: join(stateRoot(), 'sparkplug', this.#o.device),
        connection: { ...this.#connection, ...(this.#broker instanceof EmbeddedBroker ? { protocol: '3.1.1' as const } : {}) },
        log,
      });
      await this.#sparkplug.start();
    }
  }

  publishStatus(s: StatusPayload): void {
    this.#publisher?.publish({ topic: this.topics.status(), payload: JSON.stringify(s), qos: 1, retain: true, schema: 'sensorium.status/1' });
  }

  publishHealth(h: HealthPayload): void {
    this.#publisher?.publish({ topic: this.topics.health(), payload: JSON.stringify(h), qos: 1, retain: true, schema: 'sensorium.health/1' });
  }

  publishResult(r: ResultPayload, qos: 0 | 1 | 2): void {
    this.#publisher?.publish({
      topic: this.topics.result(r.pipeline),
      payload: JSON.stringify(r),
      qos,
      schema: 'sensorium.result/1',
      stream: `${r.pipeline}/result`,
      seq: r.seq,
      ...(this.#expirySec ? { expirySec: this.#expirySec } : {}),
    });
    this.#sparkplug?.result(r);
  }

  publishEvent(e: EventPayload): void {
    this.#publisher?.publish({ topic: this.topics.event(e.pipeline), payload: JSON.stringify(e), qos: 1, schema: 'sensorium.event/1', stream: `${e.pipeline}/event`, seq: e.seq });
  }

  stats(): (PublisherStats & { lastError?: string }) | undefined {
    const s = this.#publisher?.stats();
    if (!s) return undefined;
    return { ...s, ...(this.#lastError ? { lastError: this.#lastError } : {}) };
  }

  /** Publishes `offline` explicitly (a clean DISCONNECT does not fire the will), drains, stops. */
  async stop(offline: StatusPayload, timeoutMs: number): Promise<void> {
    await this.#sparkplug?.stop(Math.min(2000, timeoutMs));
    if (this.#publisher) {
      await this.#publisher.stop(timeoutMs, { topic: this.topics.status(), payload: JSON.stringify(offline), qos: 1, retain: true, schema: 'sensorium.status/1' });
    } else {
      await this.spool.close();
    }
    await this.#broker?.stop();
  }
}
