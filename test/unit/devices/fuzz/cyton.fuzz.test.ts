import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CytonDecoder, type CytonMessage } from '../../../../devices/eeg/openbci-cyton/decoder.ts';
import { encodePacket } from '../../../../devices/eeg/openbci-cyton/packet.ts';
import { RUNS, check, chunkSizesArb, chunks, concat, drainAll, mutate, mutationsArb, prng, withinBudget } from './fuzz-kit.ts';

const packetArb = fc.record({ n: fc.nat(255), counts: fc.array(fc.integer({ min: -8388608, max: 8388607 }), { minLength: 8, maxLength: 8 }), stop: fc.integer({ min: 0xc0, max: 0xc6 }) });
/** A valid stream of 1–12 packets with random counts, counter and stop bytes, from one seed. */
const streamArb = fc.tuple(fc.integer({ min: 1, max: 12 }), fc.nat()).map(([n, seed]) => {
  const r = prng(seed);
  const counts = (): number[] => Array.from({ length: 8 }, () => Math.floor(r() * 16777216) - 8388608);
  return concat(Array.from({ length: n }, () => encodePacket(Math.floor(r() * 256), counts(), { stopByte: 0xc0 + Math.floor(r() * 7) })));
});

function feed(bytes: Uint8Array, sizes: readonly number[]): { msgs: CytonMessage[]; dec: CytonDecoder } {
  const dec = new CytonDecoder();
  const msgs: CytonMessage[] = [];
  withinBudget(1000, () => {
    for (const c of chunks(bytes, sizes)) {
      dec.push(c, 0n);
      msgs.push(...drainAll(() => dec.next()));
    }
    dec.flush();
    msgs.push(...drainAll(() => dec.next()));
  });
  return { msgs, dec };
}

describe('CytonDecoder fuzz (15k random + 10k mutated + 2k resync inputs)', () => {
  it('total: random bytes in random reads never throw; every byte is a packet, text or counted', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), chunkSizesArb, (bytes, sizes) => {
        const { msgs, dec } = feed(bytes, sizes);
        const s = dec.stats();
        const packets = msgs.filter((m) => m.type === 'packet').length;
        const textBytes = msgs.reduce((n, m) => n + (m.type === 'text' ? m.text.length + 3 : 0), 0);
        // Printable bytes still waiting for "$$$" at the end are neither; they are at most MAX_TEXT.
        check(packets * 33 + textBytes + s.badBytes <= bytes.length, 'more bytes accounted for than pushed');
        check(s.frames === packets, 'frames stat disagrees with packets out');
      }),
      { numRuns: RUNS.random },
    );
  });

  it('total: mutated valid streams never throw; values stay in the 24-bit range', () => {
    fc.assert(
      fc.property(streamArb, mutationsArb, chunkSizesArb, (stream, ms, sizes) => {
        const { msgs } = feed(mutate(stream, ms), sizes);
        for (const m of msgs) if (m.type === 'packet') for (const c of m.counts) check(c >= -8388608 && c <= 8388607, `count ${c} out of range`);
      }),
      { numRuns: RUNS.mutated },
    );
  });

  it('resync: after any garbage, every packet but at most the first is recovered in order; garbage is counted', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.array(packetArb, { minLength: 3, maxLength: 8 }), chunkSizesArb, (garbage, ps, sizes) => {
        const packets = ps.map((p, i) => encodePacket(i, p.counts, { stopByte: p.stop }));
        const { msgs, dec } = feed(concat([garbage, ...packets]), sizes);
        const got = msgs.flatMap((m) => (m.type === 'packet' ? [Array.from(m.counts).join()] : []));
        const want = ps.map((p) => Array.from(Int32Array.from(p.counts)).join());
        expect(got.slice(-(want.length - 1))).toEqual(want.slice(1));
        const textBytes = msgs.reduce((n, m) => n + (m.type === 'text' ? m.text.length + 3 : 0), 0);
        expect(dec.stats().badBytes + textBytes).toBeGreaterThanOrEqual(garbage.length - 33);
      }),
      { numRuns: 2_000 },
    );
  });
});
