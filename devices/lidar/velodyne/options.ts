import { OptionReader } from '../../config/option-reader.ts';
import type { VelodyneModel } from './calibration.ts';

/** Options of `lidar/velodyne`, after parsing and defaulting. */
export interface VelodyneOptions {
  /** Data port. Default 2368 (manual §9.3). */
  port: number;
  /** Position/GPS port, or 0 to not listen. Default 8308. */
  positionPort: number;
  /** Interface address to bind. Default 0.0.0.0. */
  host: string;
  /** Default 'auto' (product byte, else packet spacing; see decoder.ts). */
  model: VelodyneModel | 'auto';
  /** 'cloud' (PointCloud per revolution, default) or 'scan' (one ring as a LaserScan, for planar-scan models). */
  output: 'cloud' | 'scan';
  /** Ring for `output: scan` (0 = lowest beam). Default: the ring nearest horizontal. */
  scanRing?: number;
  /** Bins of the LaserScan for `output: scan`. Default 360. */
  scanBins: number;
  minRangeM?: number;
  maxRangeM?: number;
  azimuth: 'per-firing' | 'per-block';
  /** Motor speed set on the sensor's web page, for planning (rate = rpm / 60). Default 600. */
  rpm: number;
  /** No data packets for this long → the link is lost and the socket is rebound. Default 500 ms (a VLP-16 sends 754/s). */
  silenceMs: number;
}

export function parseVelodyneOptions(raw: unknown, path: string): VelodyneOptions {
  const r = new OptionReader(raw, path);
  const o: VelodyneOptions = {
    port: r.int('port', 2368, 0, 65535),
    positionPort: r.int('positionPort', 8308, 0, 65535),
    host: r.string('host', '0.0.0.0'),
    model: r.oneOf('model', 'auto', ['auto', 'VLP-16', 'HDL-32E'] as const),
    output: r.oneOf('output', 'cloud', ['cloud', 'scan'] as const),
    scanBins: r.int('scanBins', 360, 8, 7200),
    azimuth: r.oneOf('azimuth', 'per-firing', ['per-firing', 'per-block'] as const),
    rpm: r.int('rpm', 600, 300, 1200),
    silenceMs: r.int('silenceMs', 500, 50, 60_000),
  };
  if (r.has('scanRing')) o.scanRing = r.int('scanRing', undefined, 0, 31);
  else r.raw('scanRing');
  if (r.has('minRangeM')) o.minRangeM = r.number('minRangeM', undefined, 0, 300);
  else r.raw('minRangeM');
  if (r.has('maxRangeM')) o.maxRangeM = r.number('maxRangeM', undefined, 0, 300);
  else r.raw('maxRangeM');
  r.done('lidar/velodyne');
  return o;
}
