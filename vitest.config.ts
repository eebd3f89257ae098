import { defineConfig } from 'vitest/config';

/**
 * The suite runs once per end of the supported peer ranges: the majors `npm install` brings
 * today, and the oldest versions the package supports. Those are installed side by side as npm
 * aliases (devDependencies `express-4`, `passport-0.6`, `ioredis-5`) and swapped in by module
 * alias — for the sources, the build the example app imports, and the tests alike.
 * `test/compatibility.test.ts` checks that each project really runs on its versions.
 */
const projects: { name: string; expects: string; alias: Record<string, string>; globalSdk: boolean }[] = [
  { name: 'express-5', expects: 'express@5 passport@0.7 ioredis@6', alias: {}, globalSdk: true },
  { name: 'express-4', expects: 'express@4 passport@0.6 ioredis@5', alias: { express: 'express-4', passport: 'passport-0.6', ioredis: 'ioredis-5' }, globalSdk: false },
];

export default defineConfig({
  test: {
    // Runs once for both projects: after the suite, no token, password or pass code used anywhere
    // may show up in what any test file captured.
    globalSetup: ['test/support/leak-check.global.ts'],
    projects: projects.map(({ name, expects, alias, globalSdk }, index) => ({
      resolve: { alias },
      test: {
        name,
        include: ['test/**/*.test.ts'],
        // The packed-package test installs scratch consumers of both majors itself: once is enough.
        exclude: index === 0 ? [] : ['test/package.test.ts'],
        env: { LWT_PROJECT: name, LWT_EXPECTED_VERSIONS: expects, ...(globalSdk ? { LWT_GLOBAL_SDK: '1' } : {}) },
        testTimeout: 20_000,
        hookTimeout: 60_000,
        // Every file captures its logs, audit events and error bodies for the leak check. In
        // express-5 an OpenTelemetry SDK is registered for every file too, its spans and metric
        // labels captured; express-4 runs without one, as most portals do, so both paths run end to end.
        setupFiles: ['test/support/leak-capture.ts', ...(globalSdk ? ['test/support/telemetry-capture.ts'] : [])],
      },
    })),
  },
});
