import mqtt, { UniqueMessageIdProvider, type IClientOptions, type IClientPublishOptions, type MqttClient } from 'mqtt';
import { describeError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { silentLogger } from '../core/logger.ts';
import type { OutboundMessage, Publisher, PublisherStats } from './publisher.ts';
import { MemorySpool, type Spool, type SpoolEntry } from './spool.ts';

export interface MqttPublisherOptions {
  url: string;
  clientId: string;
  /** `auto` tries MQTT 5 and falls back to 3.1.1 when the broker refuses it (aedes). */
  protocol?: 'auto' | '5' | '3.1.1';
  username?: string;
  password?: string;
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
      ...(o.username ? { username: o.username } : {}),
      ...(o.password ? { password: o.password } : {}),
      ...(will
        ? {
            will: {
              topic: will.topic,
              payload: Buffer.from(will.payload),
              qos: will.qos,
              retain: will.retain ?? false,
              ...(this.#protocol === 5 ? { properties: { willDelayInterval: o.willDelaySec ?? 5, contentType: 'application/json', ...(will.schema ? { userProperties: { schema: will.schema } } : {}) } } : {}),
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
      for (const m of this.#retained.values()) this.#send(m);
      for (const m of this.#latestQos0.values()) this.#send(m);
      this.#latestQos0.clear();
      // mqtt.js re-sends its own unacknowledged in-flight packets; continue the spool after them.
      this.#schedulePump();
    });
    client.on('close', () => {
      if (this.#connected) this.#log.warn({ url: o.url }, 'mqtt connection closed; spooling');
      this.#connected = false;
      this.#attempt++;
      const base = Math.min(o.reconnectMaxMs ?? 30_000, (o.reconnectMinMs ?? 500) * 2 ** Math.min(this.#attempt - 1, 16));
      client.options.reconnectPeriod = Math.round(base * (0.75 + Math.random() * 0.5));
    });
    client.on('error', (err: Error & { code?: number }) => {
      this.#lastError = describeError(err);
      if (this.#protocol === 5 && o.protocol !== '5' && (err.code === 1 || err.code === 132 || /protocol version/i.test(err.message))) {
        this.#log.warn({ url: o.url }, 'broker refused MQTT 5; falling back to 3.1.1 (no message expiry or user properties)');
        this.#protocol = 4;
        client.end(true);
        this.#connect();
        return;
      }
      this.#log.warn({ url: o.url, err: this.#lastError }, 'mqtt error');
    });
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
      opts.properties = {
        contentType: 'application/json',
        payloadFormatIndicator: true,
        ...(msg.expirySec ? { messageExpiryInterval: msg.expirySec } : {}),
        ...(msg.schema ? { userProperties: { schema: msg.schema } } : {}),
      };
    }
    this.#published++;
    client.publish(msg.topic, msg.payload, opts, (err) => cb?.(err ?? undefined));
  }

  #drained(): boolean {
    return this.#inflight === 0 && this.#spool.stats().entries === 0;
  }

  #checkDrained(): void {
    if (this.#drained()) for (const w of this.#flushWaiters.splice(0)) w();
  }
}
