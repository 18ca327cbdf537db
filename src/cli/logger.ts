import { Writable } from 'node:stream';
import pino from 'pino';
import type { Logger } from '../core/logger.ts';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };

/** A one-line human format for terminals: `18:24:43 INFO  msg key=value …`. */
function prettyStream(out: NodeJS.WriteStream): Writable {
  const color = out.isTTY && !process.env.NO_COLOR;
  const paint = (code: number, s: string): string => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        try {
          const { level, time, msg, pid: _p, hostname: _h, svc: _s, ...rest } = JSON.parse(line) as Record<string, unknown>;
          const lv = LEVELS[level as number] ?? String(level);
          const when = new Date(time as number).toISOString().slice(11, 19);
          const extra = Object.entries(rest)
            .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
            .join(' ');
          const lvColored = (level as number) >= 50 ? paint(31, lv) : (level as number) >= 40 ? paint(33, lv) : paint(2, lv);
          out.write(`${paint(2, when)} ${lvColored} ${msg ?? ''}${extra ? ` ${paint(2, extra)}` : ''}\n`);
        } catch {
          out.write(`${line}\n`);
        }
      }
      cb();
    },
  });
}

/**
 * pino JSON logs on stderr (journald keeps them; stdout stays for the live view and machine output);
 * a readable one-line format when stderr is a terminal. Secrets are redacted by key.
 */
export function createLogger(level: string): Logger {
  const stream = process.stderr.isTTY ? prettyStream(process.stderr) : pino.destination({ fd: 2, sync: true });
  return pino(
    { level, base: { svc: 'sensorium' }, redact: ['password', '*.password', 'mqtt.password'] },
    stream,
  ) as unknown as Logger;
}
