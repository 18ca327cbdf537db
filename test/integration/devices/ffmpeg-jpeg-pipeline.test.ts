import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.ts';
import { wire } from '../../../src/config/wiring.ts';
import { SystemClock } from '../../../src/core/clocks.ts';
import { createRegistry } from '../../../src/main.ts';
import { Runtime } from '../../../src/pipeline/runtime.ts';
import type { ResultPayload } from '../../../src/publish/payload-schema.ts';
import { memoryLogger } from '../../helpers/demo-runtime.ts';

const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;
const MODELS = new URL('../../../models/reference', import.meta.url).pathname;

/**
 * A camera that delivers JPEGs (camera/ffmpeg `output: mjpeg`, as an MJPEG webcam or a rosbag2
 * CompressedImage would) fused live by the reference models: the worker decodes each frame it uses.
 */
describe.skipIf(!hasFfmpeg)('JPEG camera frames through the pipeline', () => {
  it('ffmpeg MJPEG 640×480 → inference worker decodes → results with the camera fresh, no fusion errors', async () => {
    const config = parseConfig({
      device: { id: 'jpeg-test', site: 'lab' },
      sources: { cam0: { driver: 'camera/ffmpeg', input: 'testsrc=size=640x480:rate=10', inputKind: 'lavfi', width: 640, height: 480, fps: 10, output: 'mjpeg' } },
      pipelines: { p: { models: MODELS, trigger: { every: '100ms' }, inputs: { camera: { source: 'cam0', policy: 'latest', maxAge: '500ms' } } } },
      outputs: { console: { enabled: false } },
      metrics: { enabled: false },
    });
    const registry = createRegistry();
    const log = memoryLogger();
    const results: ResultPayload[] = [];
    const runtime = new Runtime({ wiring: await wire(config, registry, '/'), registry, clock: new SystemClock(), log, sinks: [(r) => results.push(r)] });
    await runtime.start();
    const end = Date.now() + 15_000;
    while (results.filter((r) => r.mask['camera'] === 'fresh').length < 5 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    await runtime.stop(5000);
    const fresh = results.filter((r) => r.mask['camera'] === 'fresh');
    expect(fresh.length).toBeGreaterThanOrEqual(5);
    // The head saw the camera (used, not just listed) and nothing failed along the way.
    for (const r of fresh) expect(Object.values(r.probs).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    expect(log.lines.filter((l) => l.level === 'error')).toEqual([]);
  }, 30_000);
});
