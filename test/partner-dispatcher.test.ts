import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Agent, type Dispatcher } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { validateOptions } from '../src/config/validate-options.js';
import { httpOptionsSchema, type HttpOptions } from '../src/destination/http-options.js';
import { createPartnerDispatcher, type PartnerDispatcher } from '../src/destination/partner-dispatcher.js';
import { json, startPartnerServer, type PartnerServer } from './support/partner-server.js';

let partner: PartnerServer;
let port: string;
beforeAll(async () => {
  partner = await startPartnerServer();
  port = new URL(partner.origin).port;
});
afterAll(() => partner.close());

let pools: PartnerDispatcher[] = [];
beforeEach(() => {
  partner.received.length = 0;
  partner.behave((_r, res) => json(res, 200, { ok: true }));
});
afterEach(async () => {
  await Promise.all(pools.map((pool) => pool.close().catch(() => undefined)));
  pools = [];
});

function pool(http: HttpOptions): PartnerDispatcher {
  const created = createPartnerDispatcher(validateOptions(httpOptionsSchema, http, 'http'));
  pools.push(created);
  return created;
}

async function get(dispatcher: Dispatcher, origin = partner.origin, path = '/v'): Promise<number> {
  const { statusCode, body } = await dispatcher.request({ origin, path, method: 'GET' });
  await body.text();
  return statusCode;
}

async function refusalCode(promise: Promise<unknown>): Promise<unknown> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(Error);
  return (error as { code?: unknown }).code;
}

/** Polls `condition` every 10 ms for up to `withinMs`. */
async function eventually(condition: () => boolean, withinMs = 2000): Promise<boolean> {
  const end = Date.now() + withinMs;
  while (!condition() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 10));
  return condition();
}

describe('createPartnerDispatcher', () => {
  describe('destination check', () => {
    it('refuses a loopback partner by default, without connecting', async () => {
      const before = partner.connectionCount();
      expect(await refusalCode(get(pool({}).dispatcher))).toBe('LWT_DESTINATION_REFUSED');
      expect(partner.connectionCount()).toBe(before);
    });

    it('allows only the private ranges allowPrivateAddresses lists, or all with true', async () => {
      expect(await refusalCode(get(pool({ allowPrivateAddresses: ['10.0.0.0/8', '::1'] }).dispatcher))).toBe('LWT_DESTINATION_REFUSED');
      expect(await get(pool({ allowPrivateAddresses: ['127.0.0.0/8'] }).dispatcher)).toBe(200);
      expect(await get(pool({ allowPrivateAddresses: true }).dispatcher)).toBe(200);
      expect(partner.received).toHaveLength(2);
    });

    it('resolves names with http.lookup and checks the addresses it returns', async () => {
      const metadata = pool({ allowPrivateAddresses: ['127.0.0.0/8'], lookup: async () => [{ address: '169.254.169.254' }] });
      expect(await refusalCode(get(metadata.dispatcher, `http://partner.example:${port}`))).toBe('LWT_DESTINATION_REFUSED');
      const local = pool({ allowPrivateAddresses: ['127.0.0.0/8'], lookup: async () => [{ address: '127.0.0.1' }] });
      expect(await get(local.dispatcher, `http://partner.example:${port}`)).toBe(200);
      expect(partner.received.map((request) => request.headers.host)).toEqual([`partner.example:${port}`]);
    });
  });

  it('does not follow redirects', async () => {
    partner.behave((request, res) => (request.url === '/start' ? void res.writeHead(302, { location: `${partner.origin}/elsewhere` }).end() : json(res, 200, {})));
    expect(await get(pool({ allowPrivateAddresses: true }).dispatcher, partner.origin, '/start')).toBe(302);
    expect(partner.received.map((request) => request.url)).toEqual(['/start']);
  });

  describe('connections', () => {
    it('reuses kept-alive connections for requests in sequence', async () => {
      const { dispatcher } = pool({ allowPrivateAddresses: true });
      const before = partner.connectionCount();
      for (let i = 0; i < 20; i++) expect(await get(dispatcher)).toBe(200);
      // undici may open a second socket while the first is being returned to the pool.
      expect(partner.connectionCount() - before).toBeLessThanOrEqual(2);
    });

    it('opens at most http.connections connections to one origin', async () => {
      partner.behave((_r, res) => void setTimeout(() => json(res, 200, {}), 20));
      const { dispatcher } = pool({ allowPrivateAddresses: true, connections: 2 });
      const before = partner.connectionCount();
      const statuses = await Promise.all(Array.from({ length: 6 }, () => get(dispatcher)));
      expect(statuses).toEqual(Array(6).fill(200));
      expect(partner.connectionCount() - before).toBeLessThanOrEqual(2);
    });

    /**
     * Whether a pool with `keepAliveTimeoutMs: 50` drops its idle connection to a server whose own
     * idle timeout is `serverKeepAliveMs` (0: it sends no Keep-Alive hint and never closes).
     */
    async function closesIdleConnection(serverKeepAliveMs: number): Promise<boolean> {
      const sockets = new Set<Socket>();
      const server: Server = createServer((_req, res) => json(res, 200, {}));
      server.keepAliveTimeout = serverKeepAliveMs;
      server.on('connection', (socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const { dispatcher } = pool({ allowPrivateAddresses: true, keepAliveTimeoutMs: 50 });
        expect(await get(dispatcher, `http://127.0.0.1:${(server.address() as AddressInfo).port}`)).toBe(200);
        expect(sockets.size).toBe(1);
        return await eventually(() => sockets.size === 0, 1000);
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    }

    it('closes a connection idle for keepAliveTimeoutMs when the partner sends no Keep-Alive hint', async () => {
      expect(await closesIdleConnection(0)).toBe(true);
    });

    it('holds keepAliveTimeoutMs as the most a partner’s Keep-Alive hint may keep a connection open', async () => {
      // The server announces `Keep-Alive: timeout=600` and never closes an idle connection itself.
      expect(await closesIdleConnection(600_000)).toBe(true);
    });
  });

  it('closes its own pool: open connections end and no new request goes out', async () => {
    const created = pool({ allowPrivateAddresses: true });
    expect(await get(created.dispatcher)).toBe(200);
    expect(partner.openConnections()).toBe(1);
    await created.close();
    expect(await eventually(() => partner.openConnections() === 0)).toBe(true);
    await expect(get(created.dispatcher)).rejects.toThrow();
    expect(partner.received).toHaveLength(1);
  });

  it('uses an app-supplied dispatcher as is, without the destination check, and leaves it open', async () => {
    const own = new Agent();
    try {
      const created = pool({ dispatcher: own });
      expect(created.dispatcher).toBe(own);
      // Loopback is not allowed, but the app's own dispatcher is the app's responsibility.
      expect(await get(created.dispatcher)).toBe(200);
      await created.close();
      expect(await get(own)).toBe(200);
    } finally {
      await own.close();
    }
  });
});
