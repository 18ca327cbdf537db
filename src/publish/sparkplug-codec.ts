import sparkplug from 'sparkplug-payload';

/**
 * Sparkplug B payload encoding through Eclipse Tahu's `sparkplug-payload` (the only importer;
 * lint-enforced). Metric types are the spec's names.
 */
export type SparkplugType = 'Int64' | 'UInt64' | 'Float' | 'Double' | 'Boolean' | 'String';

export interface SparkplugMetric {
  name: string;
  type: SparkplugType;
  value: number | bigint | boolean | string;
}

export interface SparkplugPayload {
  timestamp: number;
  seq?: number;
  metrics: SparkplugMetric[];
}

const codec = sparkplug.get('spBv1.0') as {
  encodePayload(p: unknown): Uint8Array;
  decodePayload(b: Uint8Array): { timestamp?: unknown; seq?: unknown; metrics?: { name?: string; type?: string; value?: unknown }[] };
};

export function encodeSparkplug(p: SparkplugPayload): Uint8Array {
  return codec.encodePayload({
    timestamp: p.timestamp,
    ...(p.seq !== undefined ? { seq: p.seq } : {}),
    metrics: p.metrics.map((m) => ({ name: m.name, type: m.type, value: typeof m.value === 'bigint' ? Number(m.value) : m.value })),
  });
}

/** Decodes to plain numbers (Long → number), for tests and tools. */
export function decodeSparkplug(b: Uint8Array): SparkplugPayload {
  const d = codec.decodePayload(b);
  const num = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'object' && v !== null && 'toNumber' in v ? (v as { toNumber(): number }).toNumber() : Number(v));
  return {
    timestamp: num(d.timestamp),
    ...(d.seq !== undefined && d.seq !== null ? { seq: num(d.seq) } : {}),
    metrics: (d.metrics ?? []).map((m) => {
      const type = (m.type ?? 'String') as SparkplugType;
      const value = typeof m.value === 'string' || typeof m.value === 'boolean' ? m.value : num(m.value);
      return { name: m.name ?? '', type, value };
    }),
  };
}
