import { z } from 'zod';

/**
 * Payloads of MQTT contract v1, as zod schemas: the TypeScript types, the runtime validation in
 * tests, and the JSON Schemas in `deploy/schema/` all come from here.
 */

const isoTs = z.string().describe('ISO-8601 UTC time of validity, ms precision');
const tNs = z.string().regex(/^\d+$/).describe('Same instant as integer nanoseconds since the Unix epoch (string: exceeds 2^53)');
const memberState = z.enum(['fresh', 'held', 'missing']);

export const resultPayload = z
  .object({
    v: z.literal(1),
    seq: z.number().int().nonnegative().describe('Per pipeline, +1 per result; gaps mean loss'),
    ts: isoTs,
    t_ns: tNs,
    device: z.string(),
    pipeline: z.string(),
    label: z.string(),
    score: z.number().min(0).max(1),
    probs: z.record(z.string(), z.number().min(0).max(1)),
    mask: z.record(z.string(), memberState).describe('Per modality: fresh (new sample), held (reused), missing (none within maxAge)'),
    lineage: z.object({
      sources: z.record(
        z.string(),
        z.object({
          modality: z.string(),
          state: memberState,
          t_ns: tNs.optional(),
          ageMs: z.number().optional(),
          reason: z.string().optional(),
          gaps: z.number().int().optional(),
        }),
      ),
      skewMs: z.number().describe('Spread of the members’ times of validity'),
      stageMs: z
        .object({
          align: z.number(),
          handoff: z.number().optional().describe('Main thread to inference worker and back: message passing and thread wake-ups'),
          queue: z.number().optional().describe('Waiting in the worker behind the fusion running when the set arrived'),
          preprocess: z.number(),
          encode: z.number(),
          fuse: z.number(),
          publish: z.number(),
          total: z.number().describe('Trigger to publish'),
        })
        .optional()
        .describe('Wall-clock stage latencies; omitted in deterministic replay output'),
      drops: z.object({
        inference: z.number().int().nonnegative().describe('Sets dropped by keep-newest since the previous result'),
        sources: z
          .record(
            z.string(),
            z.object({
              lost: z.number().int().describe('Lost by the device or transport (sequence gaps, overruns)'),
              unused: z.number().int().optional().describe('Evicted before any set used it (a source faster than the trigger is decimated on purpose)'),
              late: z.number().int().optional().describe('Arrived after its time was settled'),
              overflow: z.number().int().optional().describe("The source's queue was full; its oldest sample went"),
              unmatched: z.number().int().optional().describe('No set could hold it (exact/approximate)'),
              superseded: z.number().int().optional().describe('approximate: a better set was found after it'),
            }),
          )
          .describe('Per source since the previous result; reasons with no drops are left out'),
      }),
    }),
    model: z.object({ name: z.string(), version: z.string(), head: z.string(), precision: z.string() }),
  })
  .strict();

export const statusPayload = z
  .object({
    v: z.literal(1),
    state: z.enum(['online', 'offline']),
    ts: isoTs,
    device: z.string(),
    site: z.string(),
    version: z.string().optional(),
    pid: z.number().int().optional(),
    boot_id: z.string().optional(),
    pipelines: z
      .record(
        z.string(),
        z.object({
          model: z.object({ name: z.string(), version: z.string(), head: z.string(), precision: z.string(), sha256: z.record(z.string(), z.string()) }),
          labels: z.array(z.string()),
          modalities: z.array(z.string()),
          trigger: z.string(),
          inputs: z.record(z.string(), z.object({ source: z.string(), policy: z.string(), maxAgeMs: z.number().optional(), lengthMs: z.number().optional(), deadlineMs: z.number().optional() })),
        }),
      )
      .optional(),
  })
  .strict();

export const healthPayload = z
  .object({
    v: z.literal(1),
    ts: isoTs,
    uptime_s: z.number(),
    sources: z.record(
      z.string(),
      z.object({
        state: z.enum(['ok', 'missing']),
        clock: z
          .object({ offsetMs: z.number(), driftPpm: z.number(), uncertaintyMs: z.number(), converged: z.boolean(), discontinuities: z.number().int() })
          .optional()
          .describe('Sources with a device clock: the ClockSync estimate mapping it onto the host timeline'),
        samples: z.number().int(),
        rateHz: z.number(),
        lastAgeMs: z.number().nullable(),
        dropped: z.number().int(),
        badBytes: z.number().int(),
        reconnects: z.number().int(),
      }),
    ),
    pipelines: z.record(
      z.string(),
      z.object({
        results: z.number().int(),
        inferenceDrops: z.number().int(),
        skippedSets: z.number().int().describe('Sets not fused: fewer inputs present than minInputs (e.g. every sensor silent)'),
        mask: z.record(z.string(), memberState),
        latencyMs: z.object({ p50: z.number().nullable(), p99: z.number().nullable() }),
      }),
    ),
    mqtt: z.object({
      connected: z.boolean(),
      inflight: z.number().int(),
      queued: z.number().int().describe('QoS >= 1 messages waiting in the spool'),
      dropped: z.number().int().describe('Dropped by the spool bounds (oldest first) since start'),
      reconnects: z.number().int(),
      spoolBytes: z.number().int(),
      spoolOldestS: z.number().describe('Age of the oldest waiting message'),
      lastError: z.string().optional().describe('Why the last connection attempt failed (TLS, auth, unreachable), while not connected'),
    }),
    eventLoopLagMs: z.object({ p50: z.number(), p99: z.number(), max: z.number() }),
  })
  .strict();

export const eventPayload = z
  .object({
    v: z.literal(1),
    seq: z.number().int().nonnegative(),
    ts: isoTs,
    t_ns: tNs,
    pipeline: z.string(),
    type: z.literal('label-changed'),
    from: z.string().nullable(),
    to: z.string(),
    score: z.number(),
  })
  .strict();

export type ResultPayload = z.infer<typeof resultPayload>;
export type StatusPayload = z.infer<typeof statusPayload>;
export type HealthPayload = z.infer<typeof healthPayload>;
export type EventPayload = z.infer<typeof eventPayload>;

export const cmdReplyPayload = z
  .object({
    v: z.literal(1),
    id: z.union([z.string(), z.number()]).optional().describe('Echo of the request id (MQTT 3.1.1 requesters have no correlation data)'),
    command: z.string(),
    ok: z.boolean(),
    result: z.unknown().optional(),
    error: z.string().optional(),
  })
  .strict();

/** Schema ids (MQTT 5 user property `schema`, and the `$id` of the exported JSON Schemas). */
export const PAYLOAD_SCHEMAS = {
  'sensorium.result/1': resultPayload,
  'sensorium.status/1': statusPayload,
  'sensorium.health/1': healthPayload,
  'sensorium.event/1': eventPayload,
  'sensorium.cmd-reply/1': cmdReplyPayload,
} as const;
