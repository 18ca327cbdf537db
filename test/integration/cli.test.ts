import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { allowedCpus } from '../../src/core/affinity.ts';
import { statusPayload } from '../../src/publish/payload-schema.ts';
import { demoConfig as makeDemoConfig, type DemoYaml } from '../helpers/demo-config.ts';
import { freePort } from '../helpers/mosquitto.ts';

/** The CLI as a user runs it: a real process, real signals, real exit codes. */
const CLI = ['--import', 'tsx', resolve('src/main.ts')];
const run = (args: string[]) => spawnSync(process.execPath, [...CLI, ...args], { encoding: 'utf8', timeout: 60_000 });

/** The demo config with edits (metrics back on: these tests read /metrics). */
function demoConfig(mutate: (c: DemoYaml) => void = () => {}): string {
  return makeDemoConfig((c) => {
    c.metrics.enabled = true;
    mutate(c);
  }).file;
}

let child: ChildProcess | undefined;
afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
});

/** Starts `sensorium run …` (as `child`) and resolves once it is running; `stderr()` keeps growing. */
async function startRun(args: string[], env?: NodeJS.ProcessEnv): Promise<{ stderr: () => string; deadline: number }> {
  const c = spawn(process.execPath, [...CLI, 'run', ...args], { stdio: ['ignore', 'ignore', 'pipe'], ...(env ? { env } : {}) });
  child = c;
  let stderr = '';
  c.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const deadline = Date.now() + 30_000;
  while (!stderr.includes('sensorium running')) {
    if (Date.now() > deadline || c.exitCode !== null) throw new Error(`did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { stderr: () => stderr, deadline };
}

/** The demo config with `inference.cpus` set, its embedded broker on a free port. */
async function cpusConfig(cpus: unknown): Promise<{ file: string; port: number }> {
  const port = await freePort();
  const file = makeDemoConfig((c) => {
    c.outputs.mqtt.port = port;
    (c as unknown as { inference: unknown }).inference = { cpus };
  }).file;
  return { file, port };
}

describe('sensorium CLI', () => {
  it('an invalid config exits 78 and names the field and the value', () => {
    const file = demoConfig((c) => void (c.pipelines.cell_state.inputs.lidar!.maxAge = 'a while'));
    const r = run(['run', file]);
    expect(r.status).toBe(78);
    expect(r.stderr).toContain('pipelines.cell_state.inputs.lidar.maxAge');
    expect(r.stderr).toContain('"a while"');
  });

  it('a driver option error exits 78 with its path', () => {
    const file = demoConfig((c) => void (c.sources.eeg0!.sensor = 'fnirs'));
    const r = run(['plan', file]);
    expect(r.status).toBe(78);
    expect(r.stderr).toMatch(/sources\.eeg0\.sensor: .*"fnirs"/);
  });

  it('plan explains rates, policies, latency and memory', () => {
    const r = run(['plan', demoConfig(), '--json']);
    expect(r.status).toBe(0);
    const plan = JSON.parse(r.stdout) as { pipelines: Record<string, { outputHz: number; inputs: Record<string, { policy: string }>; worstCaseAddedLatencyMs: number }>; bufferBytes: number; sources: Record<string, { nominalHz: number }>; threads: { workers: number; cpus: unknown } };
    expect(plan.pipelines.cell_state?.outputHz).toBe(10);
    expect(plan.pipelines.cell_state?.inputs.eeg?.policy).toBe('window');
    expect(plan.sources.cam0?.nominalHz).toBe(30);
    expect(plan.bufferBytes).toBeGreaterThan(1e6);
    // An event waits at most one trigger period (100 ms) for its fusion.
    expect(plan.pipelines.cell_state?.worstCaseAddedLatencyMs).toBeGreaterThan(50);
    expect(plan.pipelines.cell_state?.worstCaseAddedLatencyMs).toBeLessThanOrEqual(101);
    expect(plan.threads).toMatchObject({ workers: 1, cpus: null });
  });

  it.skipIf((allowedCpus()?.length ?? 0) < 2)('plan shows where inference.cpus auto puts the threads on this machine', () => {
    const cpus = allowedCpus() as number[];
    const file = makeDemoConfig((c) => void ((c as unknown as { inference: unknown }).inference = { cpus: 'auto' })).file;
    const r = run(['plan', file]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`pinned: inference on CPU ${cpus[cpus.length - 1]}, the main thread and the rest on CPU ${cpus.slice(0, -1).join(',')}`);
  });

  it('inspect verifies a model set', () => {
    const r = run(['inspect', 'models/reference', '--json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').pop() as string)).toMatchObject({ name: 'cell-reference', verified: true });
  });

  it('run: publishes results and metrics; SIGTERM drains, publishes offline and exits 0', async () => {
    const port = await freePort();
    const metricsPort = await freePort();
    const file = demoConfig((c) => {
      c.outputs.mqtt.port = port;
      c.metrics.port = metricsPort;
    });
    const { stderr, deadline } = await startRun([file]);
    const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
    const sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'cli-test' });
    const results: string[] = [];
    sub.on('message', (topic, payload) => topic.endsWith('/result') && results.push(payload.toString()));
    await sub.subscribeAsync('sensorium/v1/lab/cell-01/#', { qos: 1 });
    while (results.length < 5) {
      if (Date.now() > deadline) throw new Error('no results');
      await new Promise((r) => setTimeout(r, 50));
    }
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toMatch(/sensorium_stage_latency_seconds_bucket\{.*pipeline="cell_state",stage="encode"/);
    expect(metrics).toMatch(/sensorium_event_loop_lag_seconds\{quantile="0.99"\}/);
    expect(metrics).toMatch(/sensorium_results_total\{pipeline="cell_state"\} \d+/);
    await sub.endAsync();

    const t0 = Date.now();
    child!.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(stderr()).toContain('sensorium stopped');
  }, 90_000);

  it('inference.cpus lists a CPU this process may not use: exits 78 naming the field', () => {
    const file = makeDemoConfig((c) => void ((c as unknown as { inference: unknown }).inference = { cpus: [4000] })).file;
    const r = run(['run', file, '--duration', '1s']);
    expect(r.status).toBe(78);
    expect(r.stderr).toMatch(/inference\.cpus: CPU 4000 not available/);
  });

  it.skipIf((allowedCpus()?.length ?? 0) < 2)('inference.cpus auto: the worker on its own CPU, the main thread and Node\'s other threads (lowered) on the others', async () => {
    const cpus = allowedCpus() as number[];
    const { file } = await cpusConfig('auto');
    const { stderr } = await startRun([file, '--duration', '20s']);
    const pid = child!.pid as number;
    const masks = new Map<number, string>();
    const nice = new Map<number, number>();
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const list = allowedCpus(`/proc/${pid}/task/${tid}/status`);
      if (list) masks.set(Number(tid), list.join(','));
      nice.set(Number(tid), Number(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1]?.split(' ')[16]));
    }
    const inference = String(cpus[cpus.length - 1]);
    const rest = cpus.slice(0, -1).join(',');
    expect(masks.get(pid)).toBe(rest); // the main thread
    // The worker (ORT makes no threads at threads: 1), at inference.nice.
    const worker = [...masks].filter(([, m]) => m === inference).map(([tid]) => tid);
    expect(worker.length).toBeGreaterThanOrEqual(1);
    expect(nice.get(worker[0] as number)).toBe(10);
    // Every other thread on the rest; V8's GC and compiler threads (there at start) lowered too.
    expect(worker.length + [...masks.values()].filter((m) => m === rest).length).toBe(masks.size);
    expect(nice.get(pid)).toBe(0);
    expect([...masks].filter(([tid, m]) => m === rest && tid !== pid && nice.get(tid) === 10).length).toBeGreaterThanOrEqual(2);
    expect(stderr()).toContain('inference pinned to its CPUs');
    child!.kill('SIGTERM');
  }, 60_000);

  it.skipIf((allowedCpus()?.length ?? 0) < 2)('inference.cpus without taskset: says so once, runs unpinned, publishes', async () => {
    const { file, port } = await cpusConfig('auto');
    const { stderr, deadline } = await startRun([file], { ...process.env, PATH: '/nonexistent' });
    const sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'no-taskset' });
    let results = 0;
    sub.on('message', (topic) => void (topic.endsWith('/result') && results++));
    await sub.subscribeAsync('sensorium/v1/lab/cell-01/+/result', { qos: 1 });
    while (results < 5) {
      if (Date.now() > deadline) throw new Error(`no results: ${stderr()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await sub.endAsync();
    expect(stderr().match(/could not run taskset/g)?.length).toBe(1);
    expect(stderr()).not.toContain('inference pinned to its CPUs');
    expect(stderr()).not.toContain('"level":50');
    child!.kill('SIGTERM');
  }, 60_000);

  it('the offline status is retained after a clean stop (observed on an external broker)', async () => {
    const { startMosquitto } = await import('../helpers/mosquitto.ts');
    const broker = await startMosquitto();
    const file = demoConfig((c) => void (c.metrics.enabled = false));
    child = spawn(process.execPath, [...CLI, 'run', file, '--mqtt', broker.url, '--duration', '3s'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const code = await new Promise<number | null>((r) => child!.once('exit', (c) => r(c)));
    expect(code).toBe(0);
    const sub = await mqtt.connectAsync(broker.url, { clientId: 'late' });
    const got = new Promise<string>((r) => sub.on('message', (_t, p) => r(p.toString())));
    await sub.subscribeAsync('sensorium/v1/lab/cell-01/status', { qos: 1 });
    const status = statusPayload.parse(JSON.parse(await got));
    expect(status.state).toBe('offline');
    await sub.endAsync();
    await broker.stop();
  }, 60_000);
});
