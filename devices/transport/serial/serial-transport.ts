import { readdir } from 'node:fs/promises';
import { SerialPort, SerialPortMock } from 'serialport';
import type { SerialLink, SerialListing, SerialOpenOptions, SerialPorts } from './serial-link.ts';

/**
 * The only importer of `serialport` (eslint VENDOR_SDKS). Two implementations of the serial seam:
 * real ports through node-serialport's native binding, and `MockSerialPorts` over
 * `@serialport/binding-mock` (tests and the simulator's wire mode), whose device side can answer
 * commands and be unplugged and replugged.
 */
type Stream = SerialPort | SerialPortMock;

/** A command is a few bytes; at 115200 baud anything slower than this is a dead port. */
const WRITE_TIMEOUT_MS = 2000;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not complete within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

function linkOf(port: Stream, o: SerialOpenOptions, hooks: { onWrite?: (b: Uint8Array) => void } = {}): Promise<SerialLink> {
  let closedByUs = false;
  port.on('data', (d: Buffer) => o.onData(new Uint8Array(d.buffer, d.byteOffset, d.byteLength)));
  // `close` carries a DisconnectedError when the device went away (serialport stream docs).
  port.on('close', (err: (Error & { disconnected?: boolean }) | null) => o.onClose(closedByUs ? undefined : (err?.message ?? 'port closed')));
  port.on('error', () => {
    /* surfaced through close / the failing call; an unhandled 'error' would crash the process */
  });
  const call = <T>(fn: (cb: (err: Error | null | undefined, v?: T) => void) => void): Promise<T | undefined> =>
    new Promise((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v))));
  return call<void>((cb) => port.open(cb)).then(() => ({
    write: async (bytes: Uint8Array): Promise<void> => {
      // A stream whose device vanished may never call back: fail fast instead of hanging a handshake.
      if (!port.isOpen) throw new Error(`${o.path} is closed`);
      await withTimeout(call<void>((cb) => port.write(Buffer.from(bytes), (e) => cb(e))), WRITE_TIMEOUT_MS, `write to ${o.path}`);
      await withTimeout(call<void>((cb) => port.drain(cb)), WRITE_TIMEOUT_MS, `drain of ${o.path}`);
      hooks.onWrite?.(bytes);
    },
    set: async (lines): Promise<void> => {
      await call<void>((cb) => port.set(lines, cb));
    },
    flush: async (): Promise<void> => {
      await call<void>((cb) => port.flush(cb));
    },
    close: async (): Promise<void> => {
      if (!port.isOpen) return;
      closedByUs = true;
      await call<void>((cb) => port.close(cb)).catch(() => undefined);
    },
  }));
}

/** Real serial ports (FTDI dongles, CP210x/CH340 USB-UART adapters). */
export const nodeSerialPorts: SerialPorts = {
  async list(): Promise<SerialListing> {
    try {
      const ports = await SerialPort.list();
      return { ports: ports.map((p) => ({ path: p.path, ...(p.manufacturer ? { manufacturer: p.manufacturer } : {}), ...(p.serialNumber ? { serialNumber: p.serialNumber } : {}), ...(p.vendorId ? { vendorId: p.vendorId } : {}), ...(p.productId ? { productId: p.productId } : {}) })), problems: [] };
    } catch (err) {
      // On Linux, serialport enumerates through `udevadm`; containers often lack it. Fall back to
      // the device nodes, which are enough to open a port by path.
      const why = err instanceof Error ? err.message : String(err);
      const nodes = await devNodes();
      return {
        ports: nodes.map((path) => ({ path })),
        problems: [`serial ports: cannot enumerate with udev (${why}); listed /dev/ttyUSB*, /dev/ttyACM* and /dev/serial/by-id instead, without vendor details. Set the port path in the config (e.g. path: /dev/ttyUSB0).`],
      };
    }
  },
  open(o: SerialOpenOptions): Promise<SerialLink> {
    return linkOf(new SerialPort({ path: o.path, baudRate: o.baudRate, dataBits: 8, stopBits: 1, parity: 'none', autoOpen: false }), o);
  },
};

async function devNodes(): Promise<string[]> {
  const out: string[] = [];
  try {
    out.push(...(await readdir('/dev/serial/by-id')).map((n) => `/dev/serial/by-id/${n}`));
  } catch {
    /* no such directory: no USB serial device plugged in, or no udev */
  }
  try {
    out.push(...(await readdir('/dev')).filter((n) => /^tty(USB|ACM)\d+$/.test(n)).map((n) => `/dev/${n}`));
  } catch {
    /* /dev unreadable */
  }
  return out;
}

/** The device end of a mock port: what the sensor firmware would do. */
export interface MockSerialDevice {
  readonly path: string;
  /** Bytes the device sends to the host. Ignored while nothing has the port open. */
  emit(bytes: Uint8Array): void;
  /** Whether a host has the port open right now. */
  readonly open: boolean;
  /** Pulls the cable: the host's pending read fails (as bindings-cpp reports an unplug), and reopening fails until `replug`. */
  unplug(): void;
  replug(): void;
  /** Modem lines the host last set (DTR drives an RPLIDAR A1's motor). */
  readonly lines: { dtr?: boolean; rts?: boolean };
}

export interface MockDeviceHandlers {
  /** Bytes the host wrote (commands). */
  onHostWrite?(bytes: Uint8Array, device: MockSerialDevice): void;
  onOpen?(device: MockSerialDevice): void;
}

/**
 * Serial ports backed by `@serialport/binding-mock` through serialport's own `SerialPortMock`
 * stream, so the stream's real read/close/disconnect machinery runs. The mock binding keeps its
 * ports in module-global state; paths here are namespaced per instance to keep tests independent.
 */
export class MockSerialPorts implements SerialPorts {
  readonly #devices = new Map<string, { dev: MockSerialDevice; handlers: MockDeviceHandlers }>();
  readonly #open = new Map<string, SerialPortMock>();
  readonly #unplugged = new Set<string>();

  /** Creates a device at `path` (e.g. "/dev/ttyMOCK0"). */
  createDevice(path: string, handlers: MockDeviceHandlers = {}): MockSerialDevice {
    SerialPortMock.binding.createPort(path, { echo: false, record: false });
    const ports = this.#open;
    const unplugged = this.#unplugged;
    const lines: { dtr?: boolean; rts?: boolean } = {};
    const dev: MockSerialDevice = {
      path,
      lines,
      get open() {
        return ports.get(path)?.isOpen ?? false;
      },
      emit(bytes: Uint8Array) {
        const p = ports.get(path);
        if (p?.isOpen && p.port) p.port.emitData(Buffer.from(bytes));
      },
      unplug() {
        unplugged.add(path);
        const p = ports.get(path);
        const binding = p?.port as unknown as { pendingRead: ((e?: Error) => void) | null; isOpen: boolean; close(): Promise<void> } | undefined;
        if (!binding?.isOpen) return;
        // bindings-cpp fails the in-flight read when the device disappears; the stream turns that
        // into a DisconnectedError 'close'. binding-mock can only cancel reads (no disconnect), so
        // complete its pending read with the error a real unplug gives.
        if (binding.pendingRead) binding.pendingRead(Object.assign(new Error('EIO: i/o error, read (device unplugged)'), { code: 'EIO' }));
        else void binding.close().then(() => p?.emit('close', Object.assign(new Error('device unplugged'), { disconnected: true })));
      },
      replug() {
        unplugged.delete(path);
      },
    };
    this.#devices.set(path, { dev, handlers });
    return dev;
  }

  list(): Promise<SerialListing> {
    return Promise.resolve({ ports: [...this.#devices.keys()].filter((p) => !this.#unplugged.has(p)).map((path) => ({ path, manufacturer: 'mock' })), problems: [] });
  }

  async open(o: SerialOpenOptions): Promise<SerialLink> {
    const entry = this.#devices.get(o.path);
    if (!entry || this.#unplugged.has(o.path)) throw Object.assign(new Error(`Error: No such file or directory, cannot open ${o.path}`), { code: 'ENOENT' });
    const port = new SerialPortMock({ path: o.path, baudRate: o.baudRate, autoOpen: false });
    this.#open.set(o.path, port);
    const link = await linkOf(port, o, { onWrite: (b) => entry.handlers.onHostWrite?.(b, entry.dev) });
    entry.handlers.onOpen?.(entry.dev);
    const set = link.set;
    return {
      ...link,
      set: async (lines) => {
        await set(lines);
        Object.assign(entry.dev.lines, lines);
      },
    };
  }
}
