import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'devices/**/*.test.ts', 'models/**/*.test.ts'],
    // Integration tests start brokers and ORT sessions; 2 CPUs here, so keep parallelism modest.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
