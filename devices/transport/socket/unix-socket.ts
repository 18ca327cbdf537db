import { createConnection } from 'node:net';

export interface SocketStream {
  stop(): Promise<void>;
}

/** Connects to a Unix domain socket (or TCP `host:port`) a sidecar serves frames on. */
export function connectStream(o: { path: string; onData(b: Uint8Array): void; onEnd(reason: string): void }): Promise<SocketStream> {
  const tcp = /^(.+):(\d+)$/.exec(o.path);
  const sock = tcp && !o.path.startsWith('/') ? createConnection({ host: tcp[1]!, port: Number(tcp[2]) }) : createConnection({ path: o.path });
  return new Promise((resolve, reject) => {
    let up = false;
    let ended = false;
    const end = (reason: string): void => {
      if (ended) return;
      ended = true;
      if (up) o.onEnd(reason);
      else reject(new Error(reason));
    };
    sock.on('connect', () => {
      up = true;
      resolve({
        stop: () =>
          new Promise<void>((res) => {
            ended = true;
            if (sock.destroyed) return res();
            sock.once('close', () => res());
            sock.destroy();
          }),
      });
    });
    sock.on('data', (d: Buffer) => o.onData(new Uint8Array(d.buffer, d.byteOffset, d.byteLength)));
    sock.on('error', (err) => end(`socket ${o.path}: ${err.message}`));
    sock.on('close', () => end(`socket ${o.path} closed by the sidecar`));
  });
}
