import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SystemClock, silentLogger, type AnySample, type DeviceEvent, type Sample } from '../../../src/core/index.ts';
import { whipCameraDriver } from './driver.ts';
import type { WhipEndpoint } from './whip-endpoint.ts';

// Debian's chromium, headless with its fake camera, publishing as a browser page does: getUserMedia,
// a sendonly transceiver, a non-trickle offer POSTed to the endpoint (cross-origin: CORS), the answer
// applied. Skipped where chromium is not installed (apt-get install chromium).
const chromium = ['chromium', 'chromium-browser'].find((c) => spawnSync(c, ['--version']).status === 0);

const PAGE = (whip: string): string => `<!doctype html><title>whip</title><script>
(async () => {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240 } });
  const pc = new RTCPeerConnection();
  pc.addTransceiver(stream.getVideoTracks()[0], { direction: 'sendonly', streams: [stream] });
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((r) => { if (pc.iceGatheringState === 'complete') r(); pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && r(); setTimeout(r, 2000); });
  const res = await fetch(${JSON.stringify(whip)}, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription.sdp });
  await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
  document.title = 'published ' + res.status;
})().catch((e) => { document.title = 'error ' + e; });
</script>`;

const waitUntil = async (cond: () => boolean, ms: number): Promise<boolean> => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  return cond();
};

describe.skipIf(!chromium)('camera/webrtc: a headless Chromium page publishes its fake camera over WHIP', () => {
  it('frames from the browser arrive as I420', async () => {
    const events: DeviceEvent[] = [];
    const o = whipCameraDriver.parseOptions({ port: 0 }, 'sources.cam1');
    const adapter = await whipCameraDriver.open(o, { sourceId: 'cam1', clock: new SystemClock(), log: silentLogger, onEvent: (e) => events.push(e) });
    const whipPort = (adapter as unknown as { endpoint: WhipEndpoint }).endpoint.port;
    const got: Sample<'image'>[] = [];
    const pump = (async () => {
      for await (const s of adapter.samples() as AsyncIterable<AnySample>) got.push(s as Sample<'image'>);
    })();
    const page: Server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(PAGE(`http://127.0.0.1:${whipPort}/whip`));
    });
    await new Promise<void>((r) => page.listen(0, '127.0.0.1', r));
    const pagePort = (page.address() as { port: number }).port;
    const profile = mkdtempSync(join(tmpdir(), 'sensorium-chromium-'));
    let browser: ChildProcess | undefined;
    try {
      browser = spawn(chromium!, [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run',
        '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
        // Show real host candidates (not mDNS names) so the two peers on this machine can pair.
        '--disable-features=WebRtcHideLocalIpsWithMdns', `--user-data-dir=${profile}`,
        `http://127.0.0.1:${pagePort}/`,
      ], { stdio: 'ignore', detached: true }); // its own process group: the renderer and GPU helpers go with it
      expect(await waitUntil(() => got.length >= 5, 20_000)).toBe(true);
      const f = got.at(-1)!.payload;
      expect(f.format).toBe('i420');
      expect(f.data).toHaveLength((f.width * f.height * 3) / 2);
      expect(f.width).toBeGreaterThan(0);
      expect(events.some((e) => e.type === 'connected')).toBe(true);
    } finally {
      if (browser?.pid !== undefined && browser.exitCode === null) {
        const exited = new Promise((r) => browser!.once('exit', r));
        process.kill(-browser.pid, 'SIGKILL'); // the group of the browser this test started
        await exited;
      }
      await adapter.close();
      await pump;
      page.close();
      rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    }
  });
});
