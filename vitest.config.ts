import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Every file captures its logs, audit events and error bodies; the global teardown checks
    // that no token, password or pass code used anywhere in the suite shows up in them.
    setupFiles: ['test/support/leak-capture.ts'],
    globalSetup: ['test/support/leak-check.global.ts'],
  },
});
