import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../src/publish/publisher.ts';
import { MetaEncoder, messageMeta } from '../../src/publish/spool-files.ts';

/** Messages as publishers make them: a few shapes (topics, schemas, QoS…) with varying seq. */
const shape = fc.record(
  {
    topic: fc.constantFrom('sensorium/v1/lab/cell-01/cell_state/result', 'sensorium/v1/lab/cell-01/cell_state/event', 'a/"quoted"/\\/ü'),
    qos: fc.constantFrom(1 as const, 2 as const),
    retain: fc.boolean(),
    expirySec: fc.constantFrom(60, 3600),
    schema: fc.constantFrom('sensorium.result/1', 'sensorium.event/1', 'x"y'),
    stream: fc.constantFrom('cell_state/result', 'cell_state/event'),
    contentType: fc.constantFrom('application/json', 'application/octet-stream'),
  },
  { requiredKeys: ['topic', 'qos'] },
);
/** One field of a shape changed: the encoder must notice any single difference. */
const tweak = fc.oneof(
  fc.record({ topic: fc.constantFrom('t/other', 'sensorium/v1/lab/cell-01/cell_state/result') }),
  fc.record({ qos: fc.constantFrom(1 as const, 2 as const) }),
  fc.record({ retain: fc.boolean() }),
  fc.record({ expirySec: fc.option(fc.constantFrom(60, 3600), { nil: undefined }) }),
  fc.record({ schema: fc.option(fc.constantFrom('sensorium.result/1', 'other/1'), { nil: undefined }) }),
  fc.record({ stream: fc.option(fc.constantFrom('cell_state/result', 'x'), { nil: undefined }) }),
  fc.record({ contentType: fc.option(fc.constantFrom('application/json', 'text/plain'), { nil: undefined }) }),
);

/** A publisher's messages: a base shape and variants of it differing in one field, with seq, payload kind and correlation varying. */
const messages = fc
  .tuple(
    shape,
    fc.array(tweak, { minLength: 0, maxLength: 3 }),
    fc.array(fc.tuple(fc.nat(), fc.option(fc.nat(), { nil: undefined }), fc.boolean(), fc.option(fc.uint8Array({ minLength: 1, maxLength: 4 }), { nil: undefined }), fc.nat(), fc.integer({ min: 0, max: 2 ** 45 })), { minLength: 1, maxLength: 40 }),
  )
  .map(([base, tweaks, draws]) => {
    const shapes = [base, ...tweaks.map((t) => ({ ...base, ...t }))];
    return draws.map(([which, seq, text, corr, id, t]): [OutboundMessage, number, number] => {
      const sh = Object.fromEntries(Object.entries(shapes[which % shapes.length] as object).filter(([, v]) => v !== undefined)) as typeof base;
      return [{ ...sh, ...(seq !== undefined ? { seq } : {}), payload: text ? '{"v":1}' : new Uint8Array([1, 2]), ...(corr ? { correlationData: corr } : {}) }, id, t];
    });
  });

describe('spool record header', () => {
  it('the reusing encoder writes JSON that parses to exactly messageMeta, whatever the order of shapes', () => {
    fc.assert(
      fc.property(messages, (msgs) => {
        const enc = new MetaEncoder();
        for (const [msg, id, t] of msgs) expect(JSON.parse(enc.json(id, t, msg))).toEqual(JSON.parse(JSON.stringify(messageMeta(id, t, msg))));
      }),
      { numRuns: 500 },
    );
  });
});
