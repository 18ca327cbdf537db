import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../src/config/schema.ts';
import { ConfigError } from '../../../src/core/errors.ts';
import { planThreads } from '../../../src/pipeline/thread-plan.ts';

const inference = (o: Record<string, unknown> = {}) => configSchema.shape.inference.parse(o);

describe('planThreads', () => {
  it('unpinned: a preprocessing helper on 2+ CPUs, none on one', () => {
    expect(planThreads(inference(), 1, [0, 1])).toEqual({ workers: 1, ortThreads: 1, preprocessThreads: 1, cpus: undefined });
    expect(planThreads(inference(), 2, [0])).toMatchObject({ workers: 2, preprocessThreads: 0 });
  });

  it('pinned: the helper counts only the CPUs left to the main thread', () => {
    expect(planThreads(inference({ cpus: 'auto' }), 1, [0, 1])).toEqual({ workers: 1, ortThreads: 1, preprocessThreads: 0, cpus: { inference: [1], rest: [0] } });
    expect(planThreads(inference({ cpus: 'auto' }), 1, [0, 1, 2, 3])).toMatchObject({ preprocessThreads: 1, cpus: { inference: [3], rest: [0, 1, 2] } });
    // Two pipelines with two ORT threads each want four CPUs; one is always left.
    expect(planThreads(inference({ cpus: 'auto', threads: 2 }), 2, [0, 1, 2, 3])).toMatchObject({ preprocessThreads: 0, cpus: { inference: [1, 2, 3], rest: [0] } });
  });

  it('an explicit preprocessThreads wins; a foreign CPU is a config error', () => {
    expect(planThreads(inference({ cpus: 'auto', preprocessThreads: 2 }), 1, [0, 1])).toMatchObject({ preprocessThreads: 2 });
    expect(() => planThreads(inference({ cpus: [5] }), 1, [0, 1])).toThrow(ConfigError);
  });

  it('the schema rejects anything but none, auto or a list of CPU numbers', () => {
    expect(() => inference({ cpus: 'all' })).toThrow();
    expect(() => inference({ cpus: [] })).toThrow();
    expect(() => inference({ cpus: [-1] })).toThrow();
  });
});
