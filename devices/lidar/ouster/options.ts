import { OptionReader } from '../../config/option-reader.ts';

/** Options of `lidar/ouster`, after parsing and defaulting. */
export interface OusterOptions {
  /** The sensor's metadata JSON (GET http://<sensor>/api/v1/sensor/metadata); packets alone cannot be turned into XYZ. */
  metadata: string;
  /** Lidar port. Default 7502 (the sensor's `udp_port_lidar` default). */
  port: number;
  /** IMU port, or 0 to not listen. Default 7503. */
  imuPort: number;
  host: string;
  /** No lidar packets for this long → the link is lost and the sockets rebound. Default 500 ms. */
  silenceMs: number;
  /** Frames per second for planning (the metadata's lidar_mode is authoritative at open). Default 10. */
  rateHz: number;
}

export function parseOusterOptions(raw: unknown, path: string): OusterOptions {
  const r = new OptionReader(raw, path);
  const o: OusterOptions = {
    metadata: r.string('metadata'),
    port: r.int('port', 7502, 0, 65535),
    imuPort: r.int('imuPort', 7503, 0, 65535),
    host: r.string('host', '0.0.0.0'),
    silenceMs: r.int('silenceMs', 500, 50, 60_000),
    rateHz: r.oneOf('rateHz', 10, [5, 10, 20]),
  };
  r.done('lidar/ouster');
  return o;
}
