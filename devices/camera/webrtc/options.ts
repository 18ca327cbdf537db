import { OptionReader } from '../../config/option-reader.ts';

/** Options of `camera/webrtc`, after parsing and defaulting. */
export interface WhipOptions {
  /** HTTP port of the WHIP endpoint. Default 8889. */
  port: number;
  /** Default 0.0.0.0 (publishers are other machines; bind 127.0.0.1 for local-only). */
  host: string;
  /** Endpoint path. Default /whip (OBS: Server = http://host:8889/whip). */
  path: string;
  /** Bearer token publishers must send (`Authorization: Bearer …`, as OBS and whipsink do). Default none. */
  token?: string;
  /** STUN/TURN URLs for publishers behind NAT. Default none (LAN: host candidates suffice). */
  iceServers: string[];
  /** Expected size and rate, for planning. Defaults 640×480 at 30 fps. */
  width: number;
  height: number;
  fps: number;
}

export function parseWhipOptions(raw: unknown, path: string): WhipOptions {
  const r = new OptionReader(raw, path);
  const p = r.string('path', '/whip');
  if (!p.startsWith('/')) throw r.error('path', 'a path starting with /', p);
  const o: WhipOptions = {
    port: r.int('port', 8889, 0, 65535),
    host: r.string('host', '0.0.0.0'),
    path: p.replace(/\/+$/, '') || '/whip',
    iceServers: r.stringList('iceServers', []),
    width: r.int('width', 640, 16, 8192),
    height: r.int('height', 480, 16, 8192),
    fps: r.number('fps', 30, 1, 240),
  };
  const token = r.optionalString('token');
  if (token) o.token = token;
  r.done('camera/webrtc');
  return o;
}
