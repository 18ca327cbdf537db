import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/** A free TCP port on loopback (bind to 0, read it back, release it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = connect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.destroy();
        resolve(true);
      });
      sock.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`mosquitto did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface Mosquitto {
  port: number;
  url: string;
  proc: ChildProcess;
  dir: string;
  log: () => string;
  stop(): Promise<void>;
}

/**
 * Starts Debian's mosquitto on a free loopback port with the tuned settings of
 * deploy/mosquitto/sensorium.conf (TCP_NODELAY, large queues). `.ci/run` installs the package.
 */
export async function startMosquitto(extraConf = '', port?: number): Promise<Mosquitto> {
  const p = port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'sensorium-mosq-'));
  chmodSync(dir, 0o777);
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      `listener ${p} 127.0.0.1`,
      'allow_anonymous true',
      // As root, mosquitto would switch to user "mosquitto" and lose access to our temp files.
      `user ${userInfo().username}`,
      'set_tcp_nodelay true',
      'max_queued_messages 1000000',
      'max_inflight_messages 100',
      'persistence false',
      extraConf,
    ].join('\n'),
  );
  let out = '';
  const proc = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.once('error', (err) => {
    out += `spawn error: ${err.message} (is mosquitto installed? apt-get install mosquitto)`;
  });
  await Promise.race([waitForPort(p, 5000), exited.then(() => Promise.reject(new Error(`mosquitto exited: ${out}`)))]);
  return {
    port: p,
    url: `mqtt://127.0.0.1:${p}`,
    proc,
    dir,
    log: () => out,
    async stop() {
      if (proc.exitCode !== null) return;
      proc.kill('SIGTERM');
      await exited;
    },
  };
}
