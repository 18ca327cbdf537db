import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { WhipOptions } from './options.ts';
import { createPeerConnection, createVideoSink, type PeerConnectionLike, type VideoSinkLike } from './wrtc-binding.ts';

export interface WhipFrame {
  width: number;
  height: number;
  /** Packed I420 (Y, then U, then V), w·h·3/2 bytes. */
  data: Uint8Array;
}

export interface WhipEndpointEvents {
  onFrame(frame: WhipFrame): void;
  onPublisher(state: 'connected' | 'disconnected', detail: string): void;
}

interface Session {
  id: string;
  pc: PeerConnectionLike;
  sink: VideoSinkLike | undefined;
}

const MAX_OFFER = 64 << 10;

/**
 * A WHIP endpoint (RFC 9725 "WebRTC-HTTP Ingestion Protocol"): `POST <path>` with an SDP offer
 * (Content-Type application/sdp) answers `201 Created` with the SDP answer and a `Location` for the
 * session; `DELETE <location>` ends it; `OPTIONS` answers CORS preflights so browser pages can
 * publish; `PATCH` (trickle ICE) is `405`, which the RFC allows — the answer carries every candidate,
 * because it is sent only after ICE gathering completes. One publisher at a time: a new POST replaces
 * the session (OBS reconnecting). Video arrives through `RTCVideoSink` as packed I420.
 */
export class WhipEndpoint {
  readonly #o: WhipOptions;
  readonly #ev: WhipEndpointEvents;
  #server: Server | undefined;
  #session: Session | undefined;
  port = 0;

  constructor(o: WhipOptions, events: WhipEndpointEvents) {
    this.#o = o;
    this.#ev = events;
  }

  listen(): Promise<number> {
    const server = createServer((req, res) => void this.#handle(req, res).catch((err: unknown) => this.#reply(res, 500, `error: ${err instanceof Error ? err.message : String(err)}`)));
    this.#server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#o.port, this.#o.host, () => {
        const addr = server.address();
        this.port = typeof addr === 'object' && addr ? addr.port : this.#o.port;
        resolve(this.port);
      });
    });
  }

  async close(): Promise<void> {
    this.#end('endpoint closed');
    const s = this.#server;
    if (s) await new Promise<void>((r) => s.close(() => r()));
    s?.closeAllConnections();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const base = this.#o.path;
    if (req.method === 'OPTIONS') return this.#reply(res, 204, '', { 'Accept-Post': 'application/sdp' });
    if (this.#o.token && req.headers.authorization !== `Bearer ${this.#o.token}`) return this.#reply(res, 401, 'missing or wrong bearer token', { 'WWW-Authenticate': 'Bearer' });
    if (url.pathname === base && req.method === 'POST') return this.#publish(req, res);
    const m = url.pathname.startsWith(`${base}/`) ? url.pathname.slice(base.length + 1) : undefined;
    if (m !== undefined && this.#session?.id === m) {
      if (req.method === 'DELETE') {
        this.#end('publisher sent DELETE');
        return this.#reply(res, 200, '');
      }
      if (req.method === 'PATCH') return this.#reply(res, 405, 'trickle ICE is not supported; send all candidates in the offer', { Allow: 'DELETE' });
    }
    if (m !== undefined) return this.#reply(res, 404, 'no such WHIP session');
    return this.#reply(res, url.pathname === base ? 405 : 404, url.pathname === base ? 'use POST with an SDP offer' : 'not found', url.pathname === base ? { Allow: 'POST, OPTIONS' } : {});
  }

  async #publish(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!String(req.headers['content-type'] ?? '').startsWith('application/sdp')) return this.#reply(res, 415, 'Content-Type must be application/sdp');
    const offer = await readBody(req, MAX_OFFER);
    if (offer === undefined || !offer.startsWith('v=0')) return this.#reply(res, 400, 'body is not an SDP offer');
    this.#end('replaced by a new publisher');
    const pc = createPeerConnection(this.#o.iceServers);
    const session: Session = { id: randomUUID(), pc, sink: undefined };
    this.#session = session;
    pc.addEventListener('track', ({ track }) => {
      if (track.kind !== 'video' || session.sink) return;
      const sink = createVideoSink(track);
      session.sink = sink;
      sink.onframe = ({ frame }) => {
        if (this.#session !== session) return;
        // The binding hands out its buffer; copy, so a consumer can transfer it to a worker.
        this.#ev.onFrame({ width: frame.width, height: frame.height, data: new Uint8Array(frame.data) });
      };
    });
    pc.addEventListener('connectionstatechange', () => {
      if (this.#session !== session) return;
      const s = pc.connectionState;
      if (s === 'connected') this.#ev.onPublisher('connected', 'publisher connected');
      else if (s === 'failed' || s === 'closed' || s === 'disconnected') this.#end(`peer connection ${s}`);
    });
    try {
      await pc.setRemoteDescription({ type: 'offer', sdp: offer });
      await pc.setLocalDescription(await pc.createAnswer());
      await gatheringComplete(pc, 2000);
    } catch (err) {
      this.#end('bad offer');
      return this.#reply(res, 400, `cannot answer this offer: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.#reply(res, 201, pc.localDescription?.sdp ?? '', { 'Content-Type': 'application/sdp', Location: `${this.#o.path}/${session.id}` });
  }

  #end(reason: string): void {
    const s = this.#session;
    if (!s) return;
    this.#session = undefined;
    if (s.sink) {
      s.sink.onframe = null;
      s.sink.stop();
    }
    s.pc.close();
    this.#ev.onPublisher('disconnected', reason);
  }

  #reply(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
    if (res.headersSent) return;
    res.writeHead(status, {
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Methods': 'POST, DELETE, PATCH, OPTIONS',
      'Access-Control-Allow-Headers': 'Content-Type, Authorization',
      'Access-Control-Expose-Headers': 'Location',
      ...(headers['Content-Type'] ? {} : { 'Content-Type': 'text/plain; charset=utf-8' }),
      ...headers,
    });
    res.end(body);
  }
}

function readBody(req: IncomingMessage, max: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    let size = 0;
    const parts: Buffer[] = [];
    req.on('data', (b: Buffer) => {
      size += b.length;
      if (size > max) {
        resolve(undefined);
        req.destroy();
      } else parts.push(b);
    });
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', () => resolve(undefined));
  });
}

function gatheringComplete(pc: PeerConnectionLike, timeoutMs: number): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(resolve, timeoutMs); // answer with what was gathered so far
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') {
        clearTimeout(t);
        resolve();
      }
    });
  });
}
