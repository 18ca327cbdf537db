import { parentPort, workerData } from 'node:worker_threads';
import type { Clock, Timer, TimestampNs } from '../core/time.ts';
import { Recorder, type RecorderOptions } from './recorder.ts';

/**
 * The recorder's thread (see threaded-recorder.ts): encoding, compression and file writes happen
 * here, off the thread that aligns samples and keeps MQTT alive. Messages arrive in the order the
 * pipeline produced them; times come with them (this thread has no clock of its own).
 */
export type RecorderWorkerInit = Omit<RecorderOptions, 'clock' | 'groundTruth'> & { startNs: TimestampNs };

export type ToRecorder =
  | { type: 'sample'; s: import('../core/sample.ts').AnySample; bytes: number }
  | { type: 'result'; r: import('../publish/payload-schema.ts').ResultPayload; at: TimestampNs }
  | { type: 'truth'; at: TimestampNs; label: number; change: boolean }
  | { type: 'flush'; id: number }
  | { type: 'close'; at: TimestampNs };

export type FromRecorder =
  | { type: 'progress'; bytes: number; stats: ReturnType<Recorder['stats']> }
  | { type: 'flushed'; id: number; error?: string }
  | { type: 'closed'; stats: ReturnType<Recorder['stats']>; error?: string };

/** `now()` is the time the last message carried. */
class MessageClock implements Clock {
  t: TimestampNs;
  constructor(t: TimestampNs) {
    this.t = t;
  }
  now(): TimestampNs {
    return this.t;
  }
  at(): Timer {
    throw new Error('the recorder thread schedules nothing');
  }
}

const port = parentPort;
if (port) {
  const init = workerData as RecorderWorkerInit;
  const clock = new MessageClock(init.startNs);
  const { startNs: _s, ...options } = init;
  const rec = new Recorder({ ...options, clock });
  let done = 0;
  let unreported = 0;
  const post = (m: FromRecorder): void => port.postMessage(m);
  port.on('message', (m: ToRecorder) => {
    switch (m.type) {
      case 'sample':
        rec.sample(m.s);
        done += m.bytes;
        // Progress (for the sender's backpressure) every few frames, not per message.
        if (++unreported >= 8) {
          unreported = 0;
          post({ type: 'progress', bytes: done, stats: rec.stats() });
        }
        break;
      case 'result':
        clock.t = m.at;
        rec.result(m.r);
        break;
      case 'truth':
        rec.truth(m.at, m.label, m.change);
        break;
      case 'flush':
        rec.flush().then(
          () => post({ type: 'flushed', id: m.id }),
          (err: unknown) => post({ type: 'flushed', id: m.id, error: String(err) }),
        );
        post({ type: 'progress', bytes: done, stats: rec.stats() });
        break;
      case 'close':
        clock.t = m.at;
        rec.close().then(
          (stats) => post({ type: 'closed', stats }),
          (err: unknown) => post({ type: 'closed', stats: rec.stats(), error: String(err) }),
        );
        break;
    }
  });
}
