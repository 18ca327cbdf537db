import mqtt, { UniqueMessageIdProvider, type IClientOptions, type IClientPublishOptions, type MqttClient } from 'mqtt';
import { describeError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { silentLogger } from '../core/logger.ts';
import type { InboundMessage, OutboundMessage, Publisher, PublisherStats } from './publisher.ts';
import { MemorySpool, type Spool, type SpoolEntry } from './spool.ts';

export interface MqttPublisherOptions {
  url: string;
  clientId: string;
  /** `auto` tries MQTT 5 and falls back to 3.1.1 when the broker refuses it (aedes). */
  protocol?: 'auto' | '5' | '3.1.1';
  username?: string;
  password?: string;
  /** TLS material (PEM), already read from files by the caller; passed to tls.connect. */
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized?: boolean; servername?: string };
  /** Retained message published on every connect (status `online`). */
  birth?: OutboundMessage;
  /** Last will (status `offline`, retained), sent by the broker if we vanish. */
  will?: OutboundMessage;
  /** MQTT 5 will delay (s): avoids flapping `offline` on a quick reconnect. */
  willDelaySec?: number;
  /** QoS ≥ 1 outbox; defaults to a bounded in-memory spool. */
  spool?: Spool;
  /** Most QoS ≥ 1 publishes awaiting PUBACK (further capped by the broker's receiveMaximum). */
  maxInflight?: number;
  /** Reconnect backoff (ms): doubles from min to max, ±25 % jitter. */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  connectTimeoutMs?: number;
  keepaliveSec?: number;
  log?: Logger;
}

const noLog = (): void => {};

/**
 * mqtt.js with the defaults an edge daemon needs (notes/mqtt-ecosystem.md §0–1):
 * `UniqueMessageIdProvider` (the default provider silently loses QoS 1 beyond 65 535 pending),
 * `queueQoSZero: false` plus our own latest-per-topic QoS 0 policy, `setNoDelay(true)` on every
 * connect (mqtt.js never sets TCP_NODELAY), our own in-flight cap (mqtt.js does no outbound flow
 * control), reconnect with exponential backoff and jitter, QoS ≥ 1 through a {@link Spool} keyed by
 * our own ids, acknowledged only on PUBACK. The only file that imports mqtt.
 */
export class MqttPublisher implements Publisher {
  readonly name = 'mqtt';
  readonly #o: MqttPublisherOptions;
  readonly #log: Logger;
  readonly #spool: Spool;
  #client: MqttClient | undefined;
  #protocol: 4 | 5;
  #connected = false;
  #cursor = 0;
  #inflight = 0;
  #published = 0;
  #acked = 0;
  #reconnects = 0;
  #attempt = 0;
  #lastError: string | undefined;
  #latestQos0 = new Map<string, OutboundMessage>();
  #retained = new Map<string, OutboundMessage>();
  #pumpScheduled = false;
  #stopping = false;
  #flushWaiters: (() => void)[] = [];
  #subscriptions = new Map<string, (m: InboundMessage) => void>();
  #errorListeners: ((message: string) => void)[] = [];
  #connectListeners: (() => void)[] = [];
  #closeListeners: (() => void)[] = [];

  constructor(options: MqttPublisherOptions) {
    this.#o = options;
    this.#log = options.log ?? silentLogger;
    this.#spool = options.spool ?? new MemorySpool();
    this.#protocol = options.protocol === '3.1.1' ? 4 : 5;
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** The MQTT protocol level in use (5, or 4 = 3.1.1). */
  get protocolVersion(): 4 | 5 {
    return this.#protocol;
  }

  /** Starts connecting; resolves at once (the publisher works offline, spooling). */
  async start(): Promise<void> {
    if (this.#o.birth) this.#retained.set(this.#o.birth.topic, this.#o.birth);
    this.#connect();
  }

  publish(msg: OutboundMessage): void {
    if (this.#stopping && msg.topic !== this.#o.will?.topic) return;
    if (msg.retain) this.#retained.set(msg.topic, msg);
    if (msg.qos === 0) {
      if (this.#connected && this.#client) this.#send(msg);
      else if (!msg.retain) this.#latestQos0.set(msg.topic, msg);
      return;
    }
    if (msg.retain) {
      // Retained QoS ≥ 1 state (status, health): only the latest matters; sent now or on connect.
      if (this.#connected && this.#client) this.#send(msg);
      return;
    }
    this.#spool.append(msg);
    this.#schedulePump();
  }

  flush(timeoutMs = 5000): Promise<boolean> {
    if (this.#drained()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      timer.unref();
      this.#flushWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  stats(): PublisherStats {
    const s = this.#spool.stats();
    return {
      spoolBytes: s.bytes,
      spoolOldestMs: s.oldestAgeMs ?? 0,
      connected: this.#connected,
      published: this.#published,
      acked: this.#acked,
      inflight: this.#inflight,
      queued: s.entries - this.#inflight > 0 ? s.entries - this.#inflight : 0,
      dropped: s.dropped,
      reconnects: this.#reconnects,
      ...(this.#lastError ? { lastError: this.#lastError } : {}),
    };
  }

  /**
   * Publishes `final` (status offline, retained) explicitly — a clean DISCONNECT does not fire the
   * will — drains what it can within `timeoutMs`, then disconnects.
   */
  async stop(timeoutMs = 3000, final?: OutboundMessage): Promise<void> {
    const client = this.#client;
    if (final) this.publish(final);
    await this.flush(timeoutMs);
    this.#stopping = true;
    if (client) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          client.end(true);
          resolve();
        }, timeoutMs);
        t.unref();
        client.end(false, {}, () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    await this.#spool.close();
  }

  #connect(): void {
    const o = this.#o;
    const will = o.will;
    const opts: IClientOptions = {
      clientId: o.clientId,
      protocolVersion: this.#protocol,
      clean: true,
      keepalive: o.keepaliveSec ?? 30,
      connectTimeout: o.connectTimeoutMs ?? 10_000,
      reconnectPeriod: o.reconnectMinMs ?? 500,
      messageIdProvider: new UniqueMessageIdProvider(),
      queueQoSZero: false,
      // mqtt.js logs through `debug`, whose rest-args wrapper allocates on every call even when
      // off: ~7 KB of garbage per QoS 1 result here. DEBUG=mqttjs* still gets its output.
      ...(/mqttjs/.test(process.env.DEBUG ?? '') ? {} : { log: noLog }),
      ...(o.username ? { username: o.username } : {}),
      ...(o.password ? { password: o.password } : {}),
      ...(o.tls ? { ...o.tls, rejectUnauthorized: o.tls.rejectUnauthorized ?? true } : {}),
      ...(will
        ? {
            will: {
              topic: will.topic,
              payload: toBuffer(will.payload),
              qos: will.qos,
              retain: will.retain ?? false,
              ...(this.#protocol === 5 ? { properties: { willDelayInterval: o.willDelaySec ?? 5, contentType: will.contentType ?? 'application/json', ...(will.schema ? { userProperties: { schema: will.schema } } : {}) } } : {}),
            },
          }
        : {}),
    };
    const client = mqtt.connect(o.url, opts);
    this.#client = client;
    client.on('connect', () => {
      // The socket changes on every reconnect: set TCP_NODELAY each time (40 ms Nagle tails otherwise).
      const stream = client.stream as { setNoDelay?: (v: boolean) => void };
      stream.setNoDelay?.(true);
      if (this.#attempt > 0) this.#reconnects++;
      this.#attempt = 0;
      this.#connected = true;
      this.#lastError = undefined;
      client.options.reconnectPeriod = o.reconnectMinMs ?? 500;
      this.#log.info({ url: o.url, protocol: this.#protocol === 5 ? '5' : '3.1.1' }, 'mqtt connected');
      for (const [filter] of this.#subscriptions) client.subscribe(filter, { qos: 1 });
      for (const m of this.#retained.values()) this.#send(m);
      for (const m of this.#latestQos0.values()) this.#send(m);
      this.#latestQos0.clear();
      for (const l of this.#connectListeners) l();
      // mqtt.js re-sends its own unacknowledged in-flight packets; continue the spool after them.
      this.#schedulePump();
    });
    client.on('close', () => {
      if (this.#connected) this.#log.warn({ url: o.url }, 'mqtt connection closed; spooling');
      const was = this.#connected;
      this.#connected = false;
      if (was) for (const l of this.#closeListeners) l();
      this.#attempt++;
      const base = Math.min(o.reconnectMaxMs ?? 30_000, (o.reconnectMinMs ?? 500) * 2 ** Math.min(this.#attempt - 1, 16));
      client.options.reconnectPeriod = Math.round(base * (0.75 + Math.random() * 0.5));
    });
    client.on('message', (topic, payload, packet) => {
      for (const [filter, handler] of this.#subscriptions) {
        if (!topicMatches(filter, topic)) continue;
        const props = packet.properties;
        handler({
          topic,
          payload,
          ...(props?.responseTopic ? { responseTopic: props.responseTopic } : {}),
          ...(props?.correlationData ? { correlationData: props.correlationData } : {}),
        });
      }
    });
    client.on('error', (err: Error & { code?: number | string }) => {
      this.#lastError = explainError(err, o.url);
      for (const l of this.#errorListeners) l(this.#lastError);
      if (this.#protocol === 5 && o.protocol !== '5' && (err.code === 1 || err.code === 132 || /protocol version/i.test(err.message))) {
        this.#log.warn({ url: o.url }, 'broker refused MQTT 5; falling back to 3.1.1 (no message expiry or user properties)');
        this.#protocol = 4;
        client.end(true);
        this.#connect();
        return;
      }
      this.#log.warn({ url: o.url, err: this.#lastError }, 'mqtt error; will retry (results are spooled)');
    });
  }

  /** Subscribes (now and after every reconnect) and routes matching messages to `handler`. */
  subscribe(filter: string, handler: (m: InboundMessage) => void): void {
    this.#subscriptions.set(filter, handler);
    if (this.#connected) this.#client?.subscribe(filter, { qos: 1 });
  }

  /** Called after every (re)connect, after retained state was re-sent. */
  onConnect(listener: () => void): void {
    this.#connectListeners.push(listener);
  }

  /** Called when an established connection is lost. */
  onClose(listener: () => void): void {
    this.#closeListeners.push(listener);
  }

  /** Called with a readable explanation of every connection error (health reports the last). */
  onError(listener: (message: string) => void): void {
    this.#errorListeners.push(listener);
  }

  /** Replaces the will used from the next connection on (Sparkplug's bdSeq changes per session). */
  setWill(will: OutboundMessage): void {
    this.#o.will = will;
    const client = this.#client as unknown as { options: IClientOptions } | undefined;
    if (client) client.options.will = { topic: will.topic, payload: toBuffer(will.payload), qos: will.qos, retain: will.retain ?? false };
  }

  #schedulePump(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    // Deferred: mqtt.js may call back synchronously (Zalgo), and refilling from a callback recurses.
    setImmediate(() => {
      this.#pumpScheduled = false;
      this.#pump();
    });
  }

  #maxInflight(): number {
    const receiveMax = this.#client?.options.protocolVersion === 5 ? this.#serverReceiveMax() : undefined;
    return Math.max(1, Math.min(this.#o.maxInflight ?? 100, receiveMax ?? 65535));
  }

  #serverReceiveMax(): number | undefined {
    const props = (this.#client as unknown as { serverProperties?: { receiveMaximum?: number } } | undefined)?.serverProperties;
    return props?.receiveMaximum;
  }

  #pump(): void {
    if (!this.#connected || !this.#client) return;
    const room = this.#maxInflight() - this.#inflight;
    if (room <= 0) return;
    for (const e of this.#spool.after(this.#cursor, room)) {
      this.#cursor = e.id;
      this.#sendSpooled(e);
    }
    this.#checkDrained();
  }

  #sendSpooled(e: SpoolEntry): void {
    this.#inflight++;
    this.#send(e.msg, (err) => {
      this.#inflight--;
      if (!err) {
        this.#acked++;
        this.#spool.ack(e.id);
      } else if (!this.#stopping) {
        // Not acknowledged: rewind so it is sent again (at-least-once; subscribers dedupe by seq).
        this.#cursor = Math.min(this.#cursor, e.id - 1);
      }
      this.#schedulePump();
      this.#checkDrained();
    });
  }

  #send(msg: OutboundMessage, cb?: (err?: Error) => void): void {
    const client = this.#client;
    if (!client) return;
    const opts: IClientPublishOptions = { qos: msg.qos, retain: msg.retain ?? false };
    if (this.#protocol === 5) {
      // Field by field (no spreads): this runs for every message.
      const text = typeof msg.payload === 'string';
      const props: NonNullable<IClientPublishOptions['properties']> = { contentType: msg.contentType ?? (text ? 'application/json' : 'application/octet-stream') };
      if (text) props.payloadFormatIndicator = true;
      if (msg.expirySec) props.messageExpiryInterval = msg.expirySec;
      if (msg.schema) props.userProperties = { schema: msg.schema };
      if (msg.correlationData) props.correlationData = toBuffer(msg.correlationData);
      opts.properties = props;
    }
    this.#published++;
    client.publish(msg.topic, typeof msg.payload === 'string' ? msg.payload : toBuffer(msg.payload), opts, (err) => cb?.(err ?? undefined));
  }

  #drained(): boolean {
    return this.#inflight === 0 && this.#spool.pending === 0;
  }

  #checkDrained(): void {
    // Only someone waiting in flush() cares; skip the spool lookup on every PUBACK otherwise.
    if (this.#flushWaiters.length > 0 && this.#drained()) for (const w of this.#flushWaiters.splice(0)) w();
  }
}

function toBuffer(p: string | Uint8Array): Buffer {
  return typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p.buffer, p.byteOffset, p.byteLength);
}

/** MQTT wildcard match (`+` one level, `#` the rest). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}

/** Turns TLS and connection errors into messages a user can act on. */
function explainError(err: Error & { code?: number | string }, url: string): string {
  const code = typeof err.code === 'string' ? err.code : '';
  if (/SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|CERT_UNTRUSTED|DEPTH_ZERO/.test(code) || /self[- ]signed|unable to verify/i.test(err.message)) {
    return `TLS: the broker's certificate is not trusted by the configured CA (${code || err.message}); check outputs.mqtt.tls.ca`;
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `TLS: the broker's certificate does not match the host in ${url} (${err.message}); set outputs.mqtt.tls.servername`;
  if (/certificate required|alert number 116|handshake failure|bad certificate|unknown ca/i.test(err.message)) {
    const detail = /tlsv1\d? alert [a-z ]+/i.exec(err.message)?.[0] ?? err.message.split('\n')[0];
    return `TLS: the broker rejected the handshake — it requires a client certificate we did not present or does not accept ours (${detail}); check outputs.mqtt.tls.cert/key`;
  }
  if (code === 'ECONNREFUSED') return `broker unreachable: connection refused at ${url}`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `broker host not found: ${url}`;
  if (/Not authorized|Bad username or password/i.test(err.message)) return `broker refused the credentials (${err.message}); check outputs.mqtt.username / passwordEnv / passwordFile`;
  return describeError(err);
}
