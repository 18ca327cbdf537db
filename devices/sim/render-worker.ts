import { parentPort, workerData } from 'node:worker_threads';
import { armTransfers } from '../../src/core/transfer-probe.ts';
import { renderFrame } from './render-frame.ts';
import type { RenderReply, RenderRequest, RenderThreadInit } from './render-thread.ts';
import { SimWorld } from './world.ts';

/**
 * The camera or depth unit's "hardware": renders frames off the runtime's main thread, as a real
 * camera exposes frames without costing the host's event loop anything. Same world, same seed,
 * same renderer as in-thread rendering, so the bytes are identical.
 */
const port = parentPort;
if (!port) throw new Error('render-worker must run in a worker thread');
const init = workerData as RenderThreadInit;
armTransfers(); // before the renderer is optimised: every frame goes back transferred
const world = new SimWorld({ seed: init.seed, lineHz: init.lineHz });
world.rgbd().background();

port.on('message', (req: RenderRequest) => {
  if (req.id < 0) throw new Error('asked to crash (test)');
  const into = req.sensor === 'camera' ? new Uint8Array(req.buffer) : new Uint16Array(req.buffer);
  renderFrame(world, req.sensor, req.t, req.index, { into });
  const reply: RenderReply = { id: req.id, buffer: req.buffer };
  port.postMessage(reply, [req.buffer]);
});
port.postMessage({ id: 0, buffer: new ArrayBuffer(0) } satisfies RenderReply);
