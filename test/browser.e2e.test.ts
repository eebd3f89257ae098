import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext } from 'playwright-core';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { describeBrowser, launchChromium, screenshot } from './support/browser.js';
import { startExampleServers, type ExampleServers } from './support/example-servers.js';
import { localhostCertificate } from './support/keys.js';
import { recordSecret } from './support/secrets.js';

// The example portal and partner simulator in real Chromium: the partner on http://127.0.0.1:<a>,
// the portal on http://localhost:<b> and https://localhost:<c> — different sites, as in real life.
// Chromium runs with third-party cookies blocked, as browsers increasingly do.
describeBrowser('in Chromium with third-party cookies blocked', () => {
  let servers: ExampleServers;
  let browser: Browser;
  let context: BrowserContext;
  let stranger: Server;
  let strangerOrigin: string;
  let cookieProbe: Server;
  let cookieProbeOrigin: string;

  beforeAll(async () => {
    const tls = await localhostCertificate();
    servers = await startExampleServers({ tls });
    browser = await launchChromium({ blockThirdPartyCookies: true });
    // A plain (unpartitioned) SameSite=None cookie, to show the browser really blocks them.
    cookieProbe = createHttpsServer(tls, (req, res) => {
      if (req.url === '/set') {
        res.writeHead(200, { 'set-cookie': 'probe=1; SameSite=None; Secure; Path=/', 'content-type': 'text/html' }).end('<a href="/check">check</a>');
      } else {
        res.writeHead(200, { 'content-type': 'text/plain' }).end(`cookie:${req.headers.cookie ?? ''}`);
      }
    });
    await new Promise<void>((resolve) => cookieProbe.listen(0, '127.0.0.1', resolve));
    cookieProbeOrigin = `https://localhost:${(cookieProbe.address() as AddressInfo).port}`;
    // A site that is not on the portal's frame allow-list, trying to frame it.
    stranger = createServer((req, res) => {
      const src = decodeURIComponent(new URL(req.url ?? '/', 'http://x').searchParams.get('src') ?? '');
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><h1>Some other site</h1><iframe title="portal" src="${src.replace(/"/g, '&quot;')}" style="width:100%;height:20rem"></iframe>`);
    });
    await new Promise<void>((resolve) => stranger.listen(0, '127.0.0.1', resolve));
    strangerOrigin = `http://127.0.0.1:${(stranger.address() as AddressInfo).port}`;
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await servers?.close();
    await new Promise((resolve) => stranger?.close(resolve));
    await new Promise((resolve) => cookieProbe?.close(resolve));
  });
  beforeEach(async () => {
    context = await browser.newContext();
  });
  afterEach(() => context.close());

  /** A fresh handoff URL from the partner, as its links make them. */
  async function handoffUrl(path: string): Promise<string> {
    const click = await request(servers.partner).get(path);
    const url = click.headers['location'] as string;
    recordSecret(new URL(url).searchParams.get('authToken')!);
    return url;
  }

  it('top-level: the partner link signs in and lands on returnTo, with no token in the URL or history', async () => {
    const page = await context.newPage();
    await page.goto(`${servers.partnerOrigin}/`);
    await page.click('a[data-person="alice"]');
    await page.waitForURL(`${servers.portalOrigin}/invoices/42`);
    await expect(page.locator('[data-signed-in-as]').getAttribute('data-signed-in-as')).resolves.toBe('alice@example.com');
    expect(await page.locator('[data-chrome]').count()).toBe(1);
    expect(page.url()).not.toContain('authToken');
    const cdp = await context.newCDPSession(page);
    const history = (await cdp.send('Page.getNavigationHistory')) as { entries: { url: string }[] };
    expect(history.entries.map((entry) => entry.url).filter((url) => url !== 'about:blank')).toEqual([`${servers.partnerOrigin}/`, `${servers.portalOrigin}/invoices/42`]);
    expect(history.entries.some((entry) => entry.url.includes('authToken'))).toBe(false);
    await screenshot(page, 'top-level-signed-in');
  });

  it('top-level chromeless (noChrome=true, no frame): signs in over http without chrome, with the app’s own cookie', async () => {
    const page = await context.newPage();
    await page.goto(`${servers.partnerOrigin}/`);
    await page.click('a[data-chromeless="alice"]');
    await page.waitForURL(`${servers.portalOrigin}/invoices/42`);
    expect(servers.portalOrigin).toMatch(/^http:/);
    await expect(page.locator('[data-signed-in-as]').getAttribute('data-signed-in-as')).resolves.toBe('alice@example.com');
    expect(await page.locator('[data-chrome]').count()).toBe(0);
    const [cookie] = (await context.cookies(servers.portalOrigin)).filter((candidate) => candidate.name === 'portal.sid');
    expect(cookie).toMatchObject({ sameSite: 'Lax', secure: false, httpOnly: true });
    expect(cookie?.partitionKey).toBeUndefined();
    await page.goto(`${servers.portalOrigin}/`);
    await expect(page.locator('[data-signed-in-as]').getAttribute('data-signed-in-as')).resolves.toBe('alice@example.com');
    expect(await page.locator('[data-chrome]').count()).toBe(0);
    await screenshot(page, 'top-level-chromeless');
  });

  it('iframe: the handoff inside the partner page signs in without chrome and stays signed in', async () => {
    const page = await context.newPage();
    await page.goto(`${servers.partnerOrigin}/embedded/alice`);
    const frame = page.frameLocator('iframe[title="portal"]');
    await expect(frame.locator('[data-signed-in-as]').getAttribute('data-signed-in-as')).resolves.toBe('alice@example.com');
    expect(await frame.locator('[data-chrome]').count()).toBe(0);
    await expect(frame.locator('[data-invoice]').textContent()).resolves.toBe('42');
    await screenshot(page, 'iframe-signed-in');
    await frame.locator('a', { hasText: 'Back home' }).click();
    await expect(frame.locator('h1').textContent()).resolves.toBe('Home');
    await expect(frame.locator('[data-signed-in-as]').getAttribute('data-signed-in-as')).resolves.toBe('alice@example.com');
    expect(await frame.locator('[data-chrome]').count()).toBe(0);
    const inner = page.frames().find((candidate) => candidate.url().startsWith(servers.portalEmbedOrigin))!;
    expect(inner.url()).toBe(`${servers.portalEmbedOrigin}/`);
    await screenshot(page, 'iframe-after-navigation');
  });

  it('control: an unpartitioned cookie does not reach a cross-site frame here', async () => {
    const page = await context.newPage();
    await page.goto(`${strangerOrigin}/?src=${encodeURIComponent(`${cookieProbeOrigin}/set`)}`);
    const frame = page.frameLocator('iframe[title="portal"]');
    await frame.locator('a', { hasText: 'check' }).click();
    await expect(frame.locator('body').textContent()).resolves.toBe('cookie:');
  });

  it('a site not on the frame allow-list sees the frame blocked', async () => {
    const src = await handoffUrl('/embedded-link/alice');
    const page = await context.newPage();
    const blocked = page.waitForEvent('console', { predicate: (message) => /frame-ancestors/.test(message.text()), timeout: 10_000 });
    await page.goto(`${strangerOrigin}/?src=${encodeURIComponent(src)}`);
    await blocked;
    const frame = page.frames().find((candidate) => candidate !== page.mainFrame())!;
    await page.waitForTimeout(200);
    expect(await frame.locator('[data-signed-in-as]').count()).toBe(0);
    await screenshot(page, 'iframe-blocked-for-stranger');
  });

  it('reusing a token in a new page shows the error page with 10376', async () => {
    const url = await handoffUrl('/go/alice?returnTo=/invoices/42');
    const first = await context.newPage();
    await first.goto(url);
    await first.waitForURL(`${servers.portalOrigin}/invoices/42`);
    const second = await (await browser.newContext()).newPage();
    const response = await second.goto(url);
    expect(response?.status()).toBe(401);
    await expect(second.locator('[data-error-number]').textContent()).resolves.toBe('10376');
    await screenshot(second, 'reused-token-error');
    await second.context().close();
  });
});
