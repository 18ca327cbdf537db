/** One message for the broker. `payload` is already serialised (JSON text). */
export interface OutboundMessage {
  topic: string;
  /** JSON text, or bytes (Sparkplug B protobuf). */
  payload: string | Uint8Array;
  qos: 0 | 1 | 2;
  retain?: boolean;
  /** MQTT 5 message expiry (s); ignored on 3.1.1. */
  expirySec?: number;
  /** MQTT 5 user property `schema` (e.g. `sensorium.result/1`). */
  schema?: string;
  /** For sequenced streams (results, events): stream name and seq, so a durable spool can continue seq after a restart. */
  stream?: string;
  seq?: number;
  /** MQTT 5 request/response: echo of the request's correlation data. */
  correlationData?: Uint8Array;
  /** `application/json` (default) or e.g. `application/x-protobuf`. */
  contentType?: string;
}

/** A message received on a subscription (commands). */
export interface InboundMessage {
  topic: string;
  payload: Buffer;
  /** MQTT 5 request/response properties, when the requester set them. */
  responseTopic?: string;
  correlationData?: Buffer;
}

export interface PublisherStats {
  connected: boolean;
  published: number;
  acked: number;
  inflight: number;
  queued: number;
  /** Messages dropped by the bounded queue (oldest first), counted, never silent. */
  dropped: number;
  reconnects: number;
  lastError?: string;
  /** Bytes and age of the oldest message waiting in the spool. */
  spoolBytes?: number;
  spoolOldestMs?: number;
}

/**
 * The publisher port (MQTT, JSONL, in-memory fake). `publish` never throws for transport reasons:
 * a disconnected publisher queues (bounded) and reports it in `stats()`.
 */
export interface Publisher {
  readonly name: string;
  start(): Promise<void>;
  publish(msg: OutboundMessage): void;
  /** Resolves when everything published so far is acknowledged (or `timeoutMs` passes). */
  flush(timeoutMs?: number): Promise<boolean>;
  stats(): PublisherStats;
  stop(): Promise<void>;
}
