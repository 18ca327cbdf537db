import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

export interface ChildStreamOptions {
  command: string;
  args: readonly string[];
  onStdout(bytes: Uint8Array): void;
  /** Each complete stderr line (ffmpeg progress/showinfo, sidecar logs). */
  onStderrLine?(line: string): void;
  /** The process ended (exit, signal, or failed to start). */
  onExit(code: number | null, signal: NodeJS.Signals | null, error?: Error): void;
}

export interface ChildStream {
  readonly pid: number | undefined;
  /** The last stderr lines, for error messages ("ffmpeg exited 1: …"). */
  stderrTail(): string;
  /** SIGTERM, then SIGKILL after `graceMs` if it is still alive. Resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

const TAIL_LINES = 8;

/** Spawns a producer process whose stdout carries the data (ffmpeg raw frames, a depth sidecar). */
export function spawnChildStream(o: ChildStreamOptions): ChildStream {
  const child: ChildProcessByStdio<Writable | null, Readable, Readable> = spawn(o.command, [...o.args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  let partial = '';
  let exited = false;
  const exitWaiters: (() => void)[] = [];
  child.stdout.on('data', (d: Buffer) => o.onStdout(new Uint8Array(d.buffer, d.byteOffset, d.byteLength)));
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s: string) => {
    partial += s;
    let nl: number;
    while ((nl = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, nl).replace(/\r$/, '');
      partial = partial.slice(nl + 1);
      if (line === '') continue;
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      o.onStderrLine?.(line);
    }
    if (partial.length > 64 << 10) partial = ''; // a line that never ends is not a log line
  });
  const finish = (code: number | null, signal: NodeJS.Signals | null, error?: Error): void => {
    if (exited) return;
    exited = true;
    o.onExit(code, signal, error);
    for (const w of exitWaiters.splice(0)) w();
  };
  child.on('error', (err) => finish(null, null, err)); // e.g. ENOENT: the binary is not installed
  child.on('close', (code, signal) => finish(code, signal));
  return {
    pid: child.pid,
    stderrTail: () => tail.join('\n'),
    stop(graceMs = 1000): Promise<void> {
      if (exited) return Promise.resolve();
      return new Promise((resolve) => {
        exitWaiters.push(resolve);
        child.kill('SIGTERM');
        const t = setTimeout(() => {
          if (!exited) child.kill('SIGKILL');
        }, graceMs);
        t.unref();
      });
    },
  };
}
