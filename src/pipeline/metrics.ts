import { createServer, type Server } from 'node:http';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Event-loop sampling interval (ms). Node's histogram records the whole interval between samples
 * (interval + delay): an idle loop reads ~5 ms at p50. We report the delay alone.
 */
const LOOP_SAMPLE_MS = 5;
const STAGE_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25];

/**
 * Prometheus metrics of a runtime: per-stage latency histograms, results, drops of every kind per
 * source and pipeline, mask states, MQTT state and event-loop lag. Labels stay low-cardinality.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly stageSeconds: Histogram<'pipeline' | 'stage'>;
  readonly results: Counter<'pipeline'>;
  readonly inferenceDropped: Counter<'pipeline'>;
  readonly inferenceErrors: Counter<'pipeline'>;
  readonly setsSkipped: Counter<'pipeline'>;
  readonly maskStates: Counter<'pipeline' | 'modality' | 'state'>;
  readonly sourceSamples: Counter<'source'>;
  readonly sourceDropped: Counter<'source' | 'reason'>;
  readonly sourceUp: Gauge<'source'>;
  readonly windowGaps: Counter<'pipeline' | 'modality'>;
  readonly mqttConnected: Gauge;
  readonly mqttQueued: Gauge;
  readonly mqttInflight: Gauge;
  readonly mqttDropped: Gauge;
  readonly eventLoopLag: Gauge<'quantile'>;
  readonly #loop: IntervalHistogram;

  constructor(version: string) {
    const r = this.registry;
    collectDefaultMetrics({ register: r, prefix: 'sensorium_' });
    new Gauge({ name: 'sensorium_build_info', help: 'Sensorium version', labelNames: ['version'], registers: [r] }).set({ version }, 1);
    this.stageSeconds = new Histogram({ name: 'sensorium_stage_latency_seconds', help: 'Latency per pipeline stage (align; handoff = to the inference worker and back; queue = waiting there behind the running fusion; preprocess, encode, fuse, publish; total = trigger to publish)', labelNames: ['pipeline', 'stage'], buckets: STAGE_BUCKETS, registers: [r] });
    this.results = new Counter({ name: 'sensorium_results_total', help: 'Results published', labelNames: ['pipeline'], registers: [r] });
    this.inferenceDropped = new Counter({ name: 'sensorium_inference_dropped_total', help: 'Aligned sets dropped because a newer one arrived while inference was busy (keep-newest)', labelNames: ['pipeline'], registers: [r] });
    this.setsSkipped = new Counter({ name: 'sensorium_sets_skipped_total', help: 'Aligned sets not fused: fewer inputs present than the pipeline\'s minInputs', labelNames: ['pipeline'], registers: [r] });
    this.inferenceErrors = new Counter({ name: 'sensorium_inference_errors_total', help: 'Fusions that failed', labelNames: ['pipeline'], registers: [r] });
    this.maskStates = new Counter({ name: 'sensorium_mask_total', help: 'Modality states in fused sets', labelNames: ['pipeline', 'modality', 'state'], registers: [r] });
    this.sourceSamples = new Counter({ name: 'sensorium_source_samples_total', help: 'Samples received per source', labelNames: ['source'], registers: [r] });
    this.sourceDropped = new Counter({ name: 'sensorium_source_dropped_total', help: 'Samples lost or unused per source (reason: lost = device/transport, queue = ingest overflow, unused = evicted before any set used it, bad_bytes = decoder resync)', labelNames: ['source', 'reason'], registers: [r] });
    this.sourceUp = new Gauge({ name: 'sensorium_source_up', help: '1 while the source delivers within its deadline', labelNames: ['source'], registers: [r] });
    this.windowGaps = new Counter({ name: 'sensorium_window_gaps_total', help: 'Sample-index gaps found inside windows', labelNames: ['pipeline', 'modality'], registers: [r] });
    this.mqttConnected = new Gauge({ name: 'sensorium_mqtt_connected', help: '1 while connected to the broker', registers: [r] });
    this.mqttQueued = new Gauge({ name: 'sensorium_mqtt_queued', help: 'QoS>=1 messages waiting for the broker', registers: [r] });
    this.mqttInflight = new Gauge({ name: 'sensorium_mqtt_inflight', help: 'Publishes awaiting PUBACK', registers: [r] });
    this.mqttDropped = new Gauge({ name: 'sensorium_mqtt_dropped', help: 'Messages dropped by the bounded outbox since start', registers: [r] });
    this.eventLoopLag = new Gauge({ name: 'sensorium_event_loop_lag_seconds', help: 'Main-thread event-loop delay since the last health tick (how late a timer fires; 0 = on time)', labelNames: ['quantile'], registers: [r] });
    this.#loop = monitorEventLoopDelay({ resolution: LOOP_SAMPLE_MS });
    this.#loop.enable();
  }

  /** Event-loop delay percentiles (ms) since the last reset; also exported as a gauge. */
  eventLoopLagMs(reset = false): { p50: number; p99: number; max: number } {
    const h = this.#loop;
    const late = (ns: number): number => Math.max(0, ns / 1e6 - LOOP_SAMPLE_MS);
    const res = h.count > 0 ? { p50: late(h.percentile(50)), p99: late(h.percentile(99)), max: late(h.max) } : { p50: 0, p99: 0, max: 0 };
    this.eventLoopLag.set({ quantile: '0.5' }, res.p50 / 1e3);
    this.eventLoopLag.set({ quantile: '0.99' }, res.p99 / 1e3);
    this.eventLoopLag.set({ quantile: '1' }, res.max / 1e3);
    if (reset) h.reset();
    return res;
  }

  stop(): void {
    this.#loop.disable();
  }
}

/** Serves `GET /metrics` (Prometheus text format). Returns the bound port. */
export async function serveMetrics(metrics: Metrics, host: string, port: number): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end('try /metrics\n');
      return;
    }
    metrics.eventLoopLagMs();
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      (err: Error) => res.writeHead(500).end(err.message),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  return { server, port: typeof addr === 'object' && addr ? addr.port : port };
}
