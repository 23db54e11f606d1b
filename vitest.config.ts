import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Server tests start real gRPC servers and worker pools; two cores are all CI has.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
