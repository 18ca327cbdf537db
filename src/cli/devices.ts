import type { DeviceInfo, DeviceListing } from '../core/device.ts';
import { describeError } from '../core/errors.ts';
import type { Registry } from '../core/registry.ts';

export interface DevicesOptions {
  json: boolean;
  /** Per-driver time limit for `list()`. Default 5000 ms. */
  timeoutMs?: number;
}

interface DriverResult {
  driver: string;
  devices: DeviceInfo[];
  problems: string[];
}

/**
 * `sensorium devices`: asks every registered driver what it can see (serial ports, V4L2 nodes, …)
 * and says plainly why a search could not run (no udevadm in a container, no /dev/video*, UDP
 * sensors that cannot be enumerated). A driver that throws or hangs is reported, not fatal.
 */
export async function devicesCommand(registry: Pick<Registry, 'drivers'>, opts: DevicesOptions, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const results: DriverResult[] = await Promise.all(
    [...registry.drivers.values()].map(async (d): Promise<DriverResult> => {
      let timer: NodeJS.Timeout | undefined;
      try {
        const listing = await Promise.race([
          d.list(),
          new Promise<DeviceListing>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`list() did not answer within ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
        return { driver: d.name, devices: listing.devices, problems: listing.problems };
      } catch (err) {
        return { driver: d.name, devices: [], problems: [`${d.name}: could not look: ${describeError(err)}`] };
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  results.sort((a, b) => a.driver.localeCompare(b.driver));
  if (opts.json) {
    out.write(`${JSON.stringify({ drivers: results })}\n`);
    return 0;
  }
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${r.driver}`);
    if (r.devices.length === 0) lines.push('  (nothing found)');
    for (const d of r.devices) lines.push(`  ${d.path.padEnd(36)} ${d.description}`);
    for (const p of r.problems) lines.push(`  ! ${p}`);
  }
  const found = results.reduce((n, r) => n + r.devices.length, 0);
  lines.push('', `${found} device(s) found by ${results.length} driver(s)${results.some((r) => r.problems.length > 0) ? '; see the "!" lines for what could not be searched' : ''}.`);
  out.write(`${lines.join('\n')}\n`);
  return 0;
}
