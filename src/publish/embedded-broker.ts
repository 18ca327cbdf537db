import { createServer, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import { PublishError } from '../core/errors.ts';

export interface EmbeddedBrokerOptions {
  /** TCP port (default 1883; 0 picks a free one). */
  port?: number;
  /** Default 127.0.0.1: the zero-setup broker is for this machine; open it up deliberately. */
  host?: string;
}

/**
 * aedes in-process: the zero-setup broker of `npm start`. MQTT 3.1.1 only (aedes 1.x refuses
 * MQTT 5 CONNECT), no shared subscriptions — fine for a demo and a single device; production
 * users point `broker: external` at mosquitto or their fleet broker. The only file importing aedes.
 */
export class EmbeddedBroker {
  readonly #options: EmbeddedBrokerOptions;
  #broker: Aedes | undefined;
  #server: Server | undefined;
  #sockets = new Set<Socket>();
  #port = 0;

  constructor(options: EmbeddedBrokerOptions = {}) {
    this.#options = options;
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `mqtt://${this.#options.host ?? '127.0.0.1'}:${this.#port}`;
  }

  async start(): Promise<void> {
    const broker = await Aedes.createBroker();
    const server = createServer((socket) => {
      this.#sockets.add(socket);
      socket.setNoDelay(true);
      socket.on('close', () => this.#sockets.delete(socket));
      broker.handle(socket);
    });
    const host = this.#options.host ?? '127.0.0.1';
    const port = this.#options.port ?? 1883;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        broker.close();
        reject(
          new PublishError(
            err.code === 'EADDRINUSE'
              ? `embedded broker: ${host}:${port} is already in use (another MQTT broker?). Set outputs.mqtt.port, or use broker: external with url mqtt://${host}:${port}`
              : `embedded broker: cannot listen on ${host}:${port}: ${err.message}`,
            { cause: err, code: 'E_BROKER_LISTEN' },
          ),
        );
      });
      server.listen(port, host, () => resolve());
    });
    const addr = server.address();
    this.#port = typeof addr === 'object' && addr ? addr.port : port;
    this.#broker = broker;
    this.#server = server;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    const broker = this.#broker;
    this.#server = undefined;
    this.#broker = undefined;
    for (const s of this.#sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
  }
}
