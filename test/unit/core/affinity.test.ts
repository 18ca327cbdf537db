import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allowedCpus, parseCpuList, planCpus } from '../../../src/core/affinity.ts';
import { ConfigError } from '../../../src/core/errors.ts';

describe('CPU lists', () => {
  it('reads the kernel format, ranges and singles', () => {
    expect(parseCpuList('0-3,6\n')).toEqual([0, 1, 2, 3, 6]);
    expect(parseCpuList('5')).toEqual([5]);
    expect(() => parseCpuList('a-b')).toThrow(/not a CPU list/);
  });

  it('takes the allowed CPUs from a status file (cgroup cpusets show up there)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'affinity-'));
    writeFileSync(join(dir, 'status'), 'Name:\tnode\nCpus_allowed:\t3c\nCpus_allowed_list:\t2-5\nMems_allowed:\t1\n');
    expect(allowedCpus(join(dir, 'status'))).toEqual([2, 3, 4, 5]);
    expect(allowedCpus(join(dir, 'missing'))).toBeUndefined();
  });

  it('reads this process (Linux)', () => {
    const cpus = allowedCpus();
    expect(cpus?.length).toBeGreaterThanOrEqual(1);
  });
});

describe('planCpus', () => {
  it('none and a single CPU pin nothing', () => {
    expect(planCpus('none', [0, 1, 2, 3], 1)).toBeUndefined();
    expect(planCpus('auto', [0], 1)).toBeUndefined();
    expect(planCpus('auto', undefined, 1)).toBeUndefined();
  });

  it('auto gives inference the last CPUs it asks for and always leaves one', () => {
    expect(planCpus('auto', [0, 1], 1)).toEqual({ inference: [1], rest: [0] });
    expect(planCpus('auto', [0, 1, 2, 3], 2)).toEqual({ inference: [2, 3], rest: [0, 1] });
    expect(planCpus('auto', [0, 1, 2, 3], 8)).toEqual({ inference: [1, 2, 3], rest: [0] });
    expect(planCpus('auto', [4, 5, 6], 0)).toEqual({ inference: [6], rest: [4, 5] });
  });

  it('a list must name allowed CPUs; taking them all leaves the rest unpinned', () => {
    expect(planCpus([3, 1, 3], [0, 1, 2, 3], 1)).toEqual({ inference: [1, 3], rest: [0, 2] });
    expect(planCpus([0, 1], [0, 1], 1)).toEqual({ inference: [0, 1], rest: [] });
    const err = (() => {
      try {
        planCpus([1, 7], [0, 1], 1);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).path).toBe('inference.cpus');
    expect((err as Error).message).toMatch(/CPU 7 not available.*allowed: 0, 1/);
  });
});
