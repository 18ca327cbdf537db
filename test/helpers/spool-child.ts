// Child process for the kill -9 test: appends N messages to a FileSpool (acking every other one),
// prints "appended N", then waits to be killed without closing anything.
import { FileSpool } from '../../src/publish/file-spool.ts';

const [dir, n] = process.argv.slice(2) as [string, string];
const spool = new FileSpool({ dir, fsyncIntervalMs: 1000 });
for (let i = 0; i < Number(n); i++) {
  const e = spool.append({ topic: 'r', payload: JSON.stringify({ seq: i }), qos: 1, stream: 'p/result', seq: i });
  if (i % 2 === 1) spool.ack(e.id);
}
// Appends are group-committed at the end of the task: report once that has happened.
await new Promise((r) => setImmediate(r));
process.stdout.write(`appended ${n}\n`);
setInterval(() => {}, 1 << 30);
