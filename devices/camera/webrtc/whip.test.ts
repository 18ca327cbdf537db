import { describe, expect, it } from 'vitest';
import { SystemClock, silentLogger, type AnySample, type DeviceEvent, type Sample } from '../../../src/core/index.ts';
import { whipCameraDriver } from './driver.ts';
import type { WhipEndpoint } from './whip-endpoint.ts';
import { createPeerConnection, createVideoSource } from './wrtc-binding.ts';

const waitUntil = async (cond: () => boolean, ms: number): Promise<boolean> => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return cond();
};

/** A flat I420 frame: Y = luma everywhere, U = V = 128 (grey). */
function grey(w: number, h: number, luma: number): Uint8Array {
  const d = new Uint8Array((w * h * 3) / 2).fill(128);
  d.fill(luma, 0, w * h);
  return d;
}

describe('camera/webrtc: WHIP endpoint', () => {
  it('a second @roamhq/wrtc peer publishes a video track (POST offer → 201 answer); I420 frames arrive', async () => {
    const events: DeviceEvent[] = [];
    const o = whipCameraDriver.parseOptions({ port: 0, host: '127.0.0.1', token: 's3cret' }, 'sources.cam1');
    const adapter = await whipCameraDriver.open(o, { sourceId: 'cam1', clock: new SystemClock(), log: silentLogger, onEvent: (e) => events.push(e) });
    const port = (adapter as unknown as { endpoint: WhipEndpoint }).endpoint.port;
    const got: Sample<'image'>[] = [];
    const pump = (async () => {
      for await (const s of adapter.samples() as AsyncIterable<AnySample>) got.push(s as Sample<'image'>);
    })();
    const pc = createPeerConnection();
    const source = createVideoSource();
    const track = source.createTrack();
    let timer: NodeJS.Timeout | undefined;
    try {
      pc.addTransceiver(track, { direction: 'sendonly' });
      await pc.setLocalDescription(await pc.createOffer());
      await waitUntil(() => pc.iceGatheringState === 'complete', 2000);
      const url = `http://127.0.0.1:${port}/whip`;
      // Wrong token first: 401, as OBS would see with a bad stream key.
      expect((await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/sdp', Authorization: 'Bearer nope' }, body: pc.localDescription!.sdp })).status).toBe(401);
      const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/sdp', Authorization: 'Bearer s3cret' }, body: pc.localDescription!.sdp });
      expect(res.status).toBe(201);
      expect(res.headers.get('content-type')).toBe('application/sdp');
      const location = res.headers.get('location')!;
      expect(location).toMatch(/^\/whip\/[0-9a-f-]{36}$/);
      await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
      timer = setInterval(() => source.onFrame({ width: 320, height: 240, data: grey(320, 240, 200) }), 33);
      expect(await waitUntil(() => got.length >= 5, 8000)).toBe(true);
      const f = got.at(-1)!;
      expect(f.payload).toMatchObject({ width: 320, height: 240, format: 'i420' });
      expect(f.payload.data).toHaveLength(320 * 240 * 1.5);
      // VP8 is lossy, but a flat frame survives: luma near 200, chroma near 128.
      expect(Math.abs(f.payload.data[320 * 120 + 160]! - 200)).toBeLessThan(8);
      expect(Math.abs(f.payload.data[320 * 240 + 10]! - 128)).toBeLessThan(8);
      expect(f.t).toBe(f.receivedAt); // no timestamp from the sink: stamped on arrival
      expect(events.some((e) => e.type === 'connected')).toBe(true);
      // DELETE ends the session.
      expect((await fetch(`http://127.0.0.1:${port}${location}`, { method: 'DELETE', headers: { Authorization: 'Bearer s3cret' } })).status).toBe(200);
      expect(events.at(-1)).toMatchObject({ type: 'disconnected', reason: 'publisher sent DELETE' });
    } finally {
      clearInterval(timer);
      track.stop();
      pc.close();
      await adapter.close();
      await pump;
    }
  });

  it('answers CORS preflights and refuses what is not an SDP offer', async () => {
    const o = whipCameraDriver.parseOptions({ port: 0, host: '127.0.0.1' }, 'sources.cam1');
    const adapter = await whipCameraDriver.open(o, { sourceId: 'cam1', clock: new SystemClock(), log: silentLogger });
    const port = (adapter as unknown as { endpoint: WhipEndpoint }).endpoint.port;
    try {
      const pre = await fetch(`http://127.0.0.1:${port}/whip`, { method: 'OPTIONS' });
      expect(pre.status).toBe(204);
      expect(pre.headers.get('access-control-allow-origin')).toBe('*');
      expect(pre.headers.get('access-control-expose-headers')).toBe('Location');
      expect((await fetch(`http://127.0.0.1:${port}/whip`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'x' })).status).toBe(415);
      expect((await fetch(`http://127.0.0.1:${port}/whip`, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: 'hello' })).status).toBe(400);
      expect((await fetch(`http://127.0.0.1:${port}/whip/unknown`, { method: 'DELETE' })).status).toBe(404);
    } finally {
      await adapter.close();
    }
  });
});
