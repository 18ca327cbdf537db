/**
 * The serial seam drivers use (node-serialport's BindingInterface idea, one level up): a stateless
 * `SerialPorts` lists and opens; the `SerialLink` it returns is the stateful handle. No serialport
 * type crosses it — `serial-transport.ts` is the only file that imports the library (lint-enforced).
 */
export interface SerialPortInfo {
  path: string;
  manufacturer?: string;
  serialNumber?: string;
  vendorId?: string;
  productId?: string;
}

export interface SerialListing {
  ports: SerialPortInfo[];
  /** Why enumeration was incomplete (e.g. no udevadm in a container). */
  problems: string[];
}

export interface SerialOpenOptions {
  path: string;
  baudRate: number;
  /** Every chunk the port reads, as it arrives. */
  onData(bytes: Uint8Array): void;
  /** The port went away (unplug, I/O error) or was closed; `reason` is undefined for our own close. */
  onClose(reason: string | undefined): void;
}

export interface SerialLink {
  write(bytes: Uint8Array): Promise<void>;
  /** Modem control lines (RPLIDAR A1 motor on DTR). */
  set(lines: { dtr?: boolean; rts?: boolean }): Promise<void>;
  /** Discards bytes received but not yet read (after `s`/STOP, before parsing replies). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface SerialPorts {
  list(): Promise<SerialListing>;
  open(options: SerialOpenOptions): Promise<SerialLink>;
}
