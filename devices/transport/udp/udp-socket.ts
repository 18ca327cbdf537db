import { createSocket, type Socket } from 'node:dgram';

export interface UdpBinding {
  /** The port actually bound (useful with port 0 in tests). */
  readonly port: number;
  close(): Promise<void>;
}

export interface UdpBindOptions {
  port: number;
  /** Default "0.0.0.0": sensors broadcast or unicast to the host; bind to one interface to filter. */
  host?: string;
  /** Socket receive buffer, bytes. Default 4 MiB: a VLP-16 sends ~0.9 MB/s, an OS-1 ~4 MB/s in bursts. */
  receiveBufferBytes?: number;
  onMessage(payload: Uint8Array, from: { address: string; port: number }): void;
  onError(err: Error): void;
}

/** Binds a UDP socket for a LiDAR stream (node:dgram; `reuseAddr` so a restarted process can rebind at once). */
export function bindUdp(o: UdpBindOptions): Promise<UdpBinding> {
  const sock: Socket = createSocket({ type: 'udp4', reuseAddr: true });
  return new Promise((resolve, reject) => {
    const fail = (err: Error): void => {
      sock.close();
      reject(err);
    };
    sock.once('error', fail);
    sock.bind(o.port, o.host ?? '0.0.0.0', () => {
      sock.off('error', fail);
      try {
        sock.setRecvBufferSize(o.receiveBufferBytes ?? 4 << 20);
      } catch {
        /* capped by net.core.rmem_max; the default still works at these rates */
      }
      sock.on('error', o.onError);
      sock.on('message', (msg, rinfo) => o.onMessage(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), { address: rinfo.address, port: rinfo.port }));
      let closed = false;
      resolve({
        port: sock.address().port,
        close: () =>
          new Promise<void>((res) => {
            if (closed) return res();
            closed = true;
            sock.close(() => res());
          }),
      });
    });
  });
}
