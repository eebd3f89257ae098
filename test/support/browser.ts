import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { describe } from 'vitest';

/** Debian's Chromium; `.ci/run` installs it when missing. */
export const chromiumPath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const available = existsSync(chromiumPath);
if (!available && !process.env['CI']) {
  console.warn(`\n!!! Chromium not found at ${chromiumPath}: the browser suite is SKIPPED (in CI it runs and fails).\n`);
}

/** `describe` for suites that need Chromium: skipped only outside CI when it is absent. */
export const describeBrowser = available || process.env['CI'] ? describe : describe.skip;

/**
 * Headless Chromium as the machine allows it (no sandbox as root, no network beyond loopback).
 * `blockThirdPartyCookies` turns on Chrome's third-party cookie phase-out, as in browsers that
 * block them: only partitioned cookies then reach a cross-site iframe.
 */
export function launchChromium(options: { blockThirdPartyCookies?: boolean } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // The test portal's https certificate is self-signed.
      '--ignore-certificate-errors',
      ...(options.blockThirdPartyCookies ? ['--test-third-party-cookie-phaseout'] : []),
    ],
  });
}

/** Where screenshots go (git-ignored), one folder per test project (vitest.config.ts). */
export const screenshotDir = resolve(import.meta.dirname, '..', '..', 'test-results', 'screenshots', process.env['LWT_PROJECT'] ?? 'default');

/** Saves a full-page screenshot named `name`.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
