import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../core/logger.ts';
import { MqttPublisher, type MqttPublisherOptions } from './mqtt-publisher.ts';
import type { ResultPayload } from './payload-schema.ts';
import type { OutboundMessage } from './publisher.ts';
import { decodeSparkplug, encodeSparkplug, type SparkplugMetric } from './sparkplug-codec.ts';

export interface SparkplugNodeOptions {
  url: string;
  group: string;
  node: string;
  version: string;
  pipelines: readonly { name: string; labels: readonly string[]; modalities: readonly string[] }[];
  /** bdSeq is kept here across restarts (spec: it must change with every new session). */
  stateDir: string;
  connection?: Partial<Pick<MqttPublisherOptions, 'username' | 'password' | 'tls' | 'protocol' | 'reconnectMinMs' | 'reconnectMaxMs'>>;
  log: Logger;
}

const NS = 'spBv1.0';

/**
 * An opt-in Sparkplug B 3.0 edge node beside the native topics, on its own connection (MQTT
 * allows one will per connection and Sparkplug's will is NDEATH): NBIRTH + one DBIRTH per
 * pipeline on every connect, DDATA per result, NDEATH as will and on clean shutdown, `seq`
 * 0–255 per node, `bdSeq` matching between NBIRTH and NDEATH and new for every session;
 * `Node Control/Rebirth` via NCMD. Payloads: Eclipse Tahu's protobuf (sparkplug-payload).
 */
export class SparkplugNode {
  readonly #o: SparkplugNodeOptions;
  readonly #pub: MqttPublisher;
  #bdSeq: number;
  #seq = 0;
  #last = new Map<string, ResultPayload>();

  constructor(o: SparkplugNodeOptions) {
    this.#o = o;
    mkdirSync(o.stateDir, { recursive: true });
    this.#bdSeq = this.#nextBdSeq();
    this.#pub = new MqttPublisher({
      url: o.url,
      clientId: `${o.node}-sparkplug`,
      ...o.connection,
      will: this.#death(),
      log: o.log,
    });
    this.#pub.onConnect(() => this.#birth());
    // A new session needs a new bdSeq in its will (and the NBIRTH that follows).
    this.#pub.onClose(() => {
      this.#bdSeq = this.#nextBdSeq();
      this.#pub.setWill(this.#death());
    });
    this.#pub.subscribe(`${NS}/${o.group}/NCMD/${o.node}`, (m) => {
      try {
        const p = decodeSparkplug(m.payload);
        if (p.metrics.some((x) => x.name === 'Node Control/Rebirth' && x.value === true)) this.#birth();
      } catch (err) {
        o.log.warn({ err: (err as Error).message }, 'sparkplug: undecodable NCMD ignored');
      }
    });
  }

  get publisher(): MqttPublisher {
    return this.#pub;
  }

  async start(): Promise<void> {
    await this.#pub.start();
  }

  /** DDATA for a result (dropped while disconnected: the DBIRTH on reconnect carries the current values). */
  result(r: ResultPayload): void {
    this.#last.set(r.pipeline, r);
    if (!this.#pub.connected) return;
    this.#send(`${NS}/${this.#o.group}/DDATA/${this.#o.node}/${r.pipeline}`, this.#metrics(r));
  }

  async stop(timeoutMs = 2000): Promise<void> {
    await this.#pub.stop(timeoutMs, this.#death());
  }

  #nextBdSeq(): number {
    const file = join(this.#o.stateDir, 'sparkplug-bdseq');
    let n = -1;
    try {
      n = Number(readFileSync(file, 'utf8').trim());
    } catch {
      /* first run */
    }
    const next = Number.isInteger(n) && n >= 0 ? (n + 1) % 256 : 0;
    writeFileSync(file, `${next}\n`);
    return next;
  }

  #death(): OutboundMessage {
    const payload = encodeSparkplug({ timestamp: Date.now(), metrics: [{ name: 'bdSeq', type: 'UInt64', value: this.#bdSeq }] });
    return { topic: `${NS}/${this.#o.group}/NDEATH/${this.#o.node}`, payload, qos: 1, contentType: 'application/x-protobuf' };
  }

  #birth(): void {
    this.#seq = 0;
    const node: SparkplugMetric[] = [
      { name: 'bdSeq', type: 'UInt64', value: this.#bdSeq },
      { name: 'Node Control/Rebirth', type: 'Boolean', value: false },
      { name: 'Properties/Version', type: 'String', value: this.#o.version },
    ];
    this.#send(`${NS}/${this.#o.group}/NBIRTH/${this.#o.node}`, node);
    for (const p of this.#o.pipelines) {
      const last = this.#last.get(p.name);
      this.#send(`${NS}/${this.#o.group}/DBIRTH/${this.#o.node}/${p.name}`, [
        ...this.#metrics(last, p.modalities),
        { name: 'Properties/Labels', type: 'String', value: p.labels.join(',') },
      ]);
    }
  }

  #metrics(r: ResultPayload | undefined, modalities?: readonly string[]): SparkplugMetric[] {
    const out: SparkplugMetric[] = [
      { name: 'label', type: 'String', value: r?.label ?? '' },
      { name: 'score', type: 'Float', value: r?.score ?? 0 },
      { name: 'seq', type: 'UInt64', value: r?.seq ?? 0 },
    ];
    for (const m of modalities ?? Object.keys(r?.mask ?? {})) out.push({ name: `mask/${m}`, type: 'String', value: r?.mask[m] ?? 'missing' });
    return out;
  }

  #send(topic: string, metrics: SparkplugMetric[]): void {
    const payload = encodeSparkplug({ timestamp: Date.now(), seq: this.#seq, metrics });
    this.#seq = (this.#seq + 1) % 256;
    this.#pub.publish({ topic, payload, qos: 0, contentType: 'application/x-protobuf' });
  }
}
