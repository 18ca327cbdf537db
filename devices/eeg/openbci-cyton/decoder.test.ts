import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseOpenBciGuiText } from '../openbci-gui/parser.ts';
import { CytonDecoder, type CytonMessage } from './decoder.ts';
import { accelAux, encodePacket } from './packet.ts';
import { uvPerCount, uvToCounts } from './scale.ts';

const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/), (h) => parseInt(h, 16));

function drain(dec: CytonDecoder): CytonMessage[] {
  const out: CytonMessage[] = [];
  for (let m = dec.next(); m; m = dec.next()) out.push(m);
  return out;
}

describe('CytonDecoder', () => {
  it('decodes the test vector of sensor-protocols §1.4 (gain 24)', () => {
    // A0 | #5 | ch1 000001 | ch2 FFFFFF | ch3 7FFFFF | ch4 800000 | ch5 001000 | ch6 FFF000 | ch7 123456 | ch8 EDCBAA | accel 0010 FFF0 01F4 | C0
    const v = hex('A0 05 00 00 01 FF FF FF 7F FF FF 80 00 00 00 10 00 FF F0 00 12 34 56 ED CB AA 00 10 FF F0 01 F4 C0');
    const dec = new CytonDecoder();
    dec.push(v, 1n);
    dec.flush();
    const [m] = drain(dec);
    expect(m?.type).toBe('packet');
    if (m?.type !== 'packet') return;
    expect(m.sampleNumber).toBe(5);
    expect(Array.from(m.counts)).toEqual([1, -1, 8388607, -8388608, 4096, -4096, 1193046, -1193046]);
    const uv = Array.from(m.counts, (c) => c * uvPerCount(24));
    const expected = [0.022352, -0.022352, 187500.0, -187500.022352, 91.552745, -91.552745, 26666.659315, -26666.659315];
    uv.forEach((u, i) => expect(u).toBeCloseTo(expected[i]!, 5));
    expect(m.accelG).toEqual([0.002, -0.002, 0.0625]);
    expect(m.stopByte).toBe(0xc0);
  });

  it('reads the ASCII banner up to $$$ as text, then binary packets; counter gaps count as drops', () => {
    const dec = new CytonDecoder();
    const banner = new TextEncoder().encode('OpenBCI V3 8-16 channel\nADS1299 Device ID: 0x3E\nLIS3DH Device ID: 0x33\nFirmware: v3.1.1\n$$$');
    dec.push(banner, 1n);
    const packets = [0, 1, 2, 5, 6].map((n) => encodePacket(n, [n, 0, 0, 0, 0, 0, 0, 0]));
    for (const p of packets) dec.push(p, 2n);
    dec.flush();
    const msgs = drain(dec);
    expect(msgs[0]).toMatchObject({ type: 'text', text: expect.stringContaining('Firmware: v3.1.1') });
    expect(msgs.slice(1).map((m) => (m.type === 'packet' ? m.sampleNumber : -1))).toEqual([0, 1, 2, 5, 6]);
    expect(dec.stats()).toMatchObject({ frames: 5, dropped: 2, badBytes: 0, texts: 1 });
  });

  it('decodes time-stamped packets (stop byte C4): board time in the last four aux bytes', () => {
    const p = encodePacket(9, [1, 2, 3, 4, 5, 6, 7, 8], { stopByte: 0xc4, aux: [0x58, 0x12, 0x00, 0x01, 0xe2, 0x40] });
    const dec = new CytonDecoder();
    dec.push(p, 0n);
    dec.flush();
    const [m] = drain(dec);
    expect(m).toMatchObject({ type: 'packet', stopByte: 0xc4, boardTimeMs: 123456 });
  });

  // Real Cyton EEG (OpenBCI GUI v6 sample, test/fixtures/openbci/SOURCE.md): every row turned back
  // into the packet the board sent — counts = round(µV / LSB) at gain 24, accel as int16 BE — and
  // the stream fed in odd-sized reads, as a USB-serial dongle delivers it.
  it('re-encoded from the real recording (22490 packets), returns the recorded µV within one LSB', () => {
    const rec = parseOpenBciGuiText(readFileSync(new URL('../../../test/fixtures/openbci/openbci-cyton__gui-v6-blinks-jawclench-alpha.txt', import.meta.url), 'utf8'));
    const n = rec.rows;
    const lsb = uvPerCount(24);
    const stream = new Uint8Array(n * 33);
    for (let i = 0; i < n; i++) {
      const counts = Array.from({ length: 8 }, (_, c) => uvToCounts(rec.exg[c * n + i]!, 24));
      const g: [number, number, number] = [rec.aux[i]!, rec.aux[n + i]!, rec.aux[2 * n + i]!];
      stream.set(encodePacket(rec.sampleIndex[i]!, counts, { aux: accelAux(g) }), i * 33);
    }
    const dec = new CytonDecoder();
    let off = 0;
    let k = 0;
    while (off < stream.length) {
      const len = 1 + ((k++ * 97) % 500); // 1..500-byte reads
      dec.push(stream.subarray(off, off + len), BigInt(off));
      off += len;
    }
    dec.flush();
    const msgs = drain(dec).filter((m) => m.type === 'packet');
    expect(msgs).toHaveLength(n);
    let worst = 0;
    let worstAccel = 0;
    msgs.forEach((m, i) => {
      if (m.type !== 'packet') return;
      expect(m.sampleNumber).toBe(rec.sampleIndex[i]);
      for (let c = 0; c < 8; c++) worst = Math.max(worst, Math.abs(m.counts[c]! * lsb - rec.exg[c * n + i]!));
      const a = m.accelG ?? [0, 0, 0];
      for (let c = 0; c < 3; c++) worstAccel = Math.max(worstAccel, Math.abs(a[c]! - rec.aux[c * n + i]!));
    });
    expect(worst).toBeLessThan(lsb);
    expect(worstAccel).toBeLessThanOrEqual(0.000125);
    expect(dec.stats()).toMatchObject({ frames: n, dropped: 0, badBytes: 0 });
  });
});
