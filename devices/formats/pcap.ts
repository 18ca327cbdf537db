import { DecodeError } from '../../src/core/errors.ts';

/**
 * Classic libpcap files (sensor-protocols §3.3): a 24-byte global header, then records of
 * `u32 ts_sec, u32 ts_frac, u32 incl_len, u32 orig_len` + the frame. Magic `A1B2C3D4` means µs
 * fractions, `A1B23C4D` ns; either byte order. Only UDP over IPv4 is extracted — that is how
 * Velodyne and Ouster sensors send — from Ethernet (with 802.1Q tags), Linux cooked (SLL, SLL2) and
 * raw-IP link types. pcapng (Wireshark's default) is refused with a message saying how to convert.
 */
export interface UdpDatagram {
  /** Capture time, ns since the Unix epoch. */
  tsNs: bigint;
  srcPort: number;
  dstPort: number;
  payload: Uint8Array;
}

export interface PcapSummary {
  datagrams: UdpDatagram[];
  /** Records that were not unfragmented UDP over IPv4 (ARP, TCP, IPv6, IP fragments, truncated). */
  skipped: number;
  linkType: number;
}

const LINK_ETHERNET = 1;
const LINK_RAW = 101;
const LINK_SLL = 113;
const LINK_SLL2 = 276;

export function isPcap(head: Uint8Array): boolean {
  if (head.length < 4) return false;
  const m = new DataView(head.buffer, head.byteOffset, 4).getUint32(0, true);
  return m === 0xa1b2c3d4 || m === 0xd4c3b2a1 || m === 0xa1b23c4d || m === 0x4d3cb2a1;
}

/** Reads every UDP datagram of a pcap file. Throws DecodeError only if the file is not classic pcap. */
export function readPcap(bytes: Uint8Array): PcapSummary {
  if (bytes.length >= 4 && bytes[0] === 0x0a && bytes[1] === 0x0d && bytes[2] === 0x0d && bytes[3] === 0x0a) {
    throw new DecodeError('pcapng is not supported; convert with `editcap -F pcap in.pcapng out.pcap`', { code: 'E_PCAPNG' });
  }
  if (bytes.length < 24 || !isPcap(bytes)) throw new DecodeError('not a pcap file (bad magic)', { code: 'E_PCAP' });
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magicLe = dv.getUint32(0, true);
  const le = magicLe === 0xa1b2c3d4 || magicLe === 0xa1b23c4d;
  const nanos = magicLe === 0xa1b23c4d || magicLe === 0x4d3cb2a1;
  const linkType = dv.getUint32(20, le) & 0x0fffffff;
  const datagrams: UdpDatagram[] = [];
  let skipped = 0;
  let off = 24;
  while (off + 16 <= bytes.length) {
    const sec = dv.getUint32(off, le);
    const frac = dv.getUint32(off + 4, le);
    const incl = dv.getUint32(off + 8, le);
    const start = off + 16;
    if (start + incl > bytes.length) {
      skipped++; // truncated last record (capture cut short)
      break;
    }
    const frame = bytes.subarray(start, start + incl);
    off = start + incl;
    const ip = ipv4Of(frame, linkType);
    const udp = ip ? udpOf(ip) : undefined;
    if (!udp) {
      skipped++;
      continue;
    }
    datagrams.push({ tsNs: BigInt(sec) * 1_000_000_000n + BigInt(frac) * (nanos ? 1n : 1000n), ...udp });
  }
  return { datagrams, skipped, linkType };
}

/** The IPv4 packet inside a link-layer frame, if there is one. */
function ipv4Of(frame: Uint8Array, linkType: number): Uint8Array | undefined {
  let off: number;
  let etherType: number;
  if (linkType === LINK_ETHERNET) {
    off = 12;
    etherType = u16be(frame, off);
    // 802.1Q / 802.1ad VLAN tags: 4 bytes each before the real EtherType.
    while ((etherType === 0x8100 || etherType === 0x88a8) && off + 6 <= frame.length) {
      off += 4;
      etherType = u16be(frame, off);
    }
    off += 2;
  } else if (linkType === LINK_SLL) {
    off = 16;
    etherType = u16be(frame, 14);
  } else if (linkType === LINK_SLL2) {
    off = 20;
    etherType = u16be(frame, 0);
  } else if (linkType === LINK_RAW) {
    off = 0;
    etherType = 0x0800;
  } else return undefined;
  if (etherType !== 0x0800 || off >= frame.length) return undefined;
  return frame.subarray(off);
}

function udpOf(ip: Uint8Array): { srcPort: number; dstPort: number; payload: Uint8Array } | undefined {
  if (ip.length < 20 || ip[0]! >> 4 !== 4 || ip[9] !== 17) return undefined;
  const ihl = (ip[0]! & 0x0f) * 4;
  const total = u16be(ip, 2);
  const flagsFrag = u16be(ip, 6);
  // More-fragments flag or a non-zero offset: a fragment of a bigger datagram. Not reassembled.
  if ((flagsFrag & 0x2000) !== 0 || (flagsFrag & 0x1fff) !== 0) return undefined;
  const end = Math.min(ip.length, total >= ihl + 8 ? total : ip.length);
  if (ihl < 20 || ihl + 8 > end) return undefined;
  const udpLen = u16be(ip, ihl + 4);
  const payloadEnd = Math.min(end, ihl + Math.max(8, udpLen));
  return { srcPort: u16be(ip, ihl), dstPort: u16be(ip, ihl + 2), payload: ip.subarray(ihl + 8, payloadEnd) };
}

function u16be(b: Uint8Array, i: number): number {
  return ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
}
