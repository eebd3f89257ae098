import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoginWithTokenOptions } from '../src/index.js';
import { RedisStore } from '../src/redis.js';
import { json, startPartnerServer, type PartnerServer } from './support/partner-server.js';
import { createTestPortal, newToken, type TestPortal, type TestUser } from './support/portal-app.js';
import { connectRedis, deleteKeys, describeRedis, uniquePrefix } from './support/redis.js';

// 500 concurrent handoffs with unique tokens while the partner fails 20% of its calls at random:
// every token the partner accepted signs in exactly once, every failed one is still redeemable,
// and none is spent twice.
const tokensPerRun = 500;
const failureRate = 0.2;

describe('load with faults', () => {
  let partner: PartnerServer;
  let failing = true;
  const accepted = new Map<string, number>();
  let injected = 0;
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);

  beforeAll(async () => {
    partner = await startPartnerServer((received, res) => {
      const { token } = JSON.parse(received.body) as { token: string };
      if (failing && random() < failureRate) {
        injected++;
        return json(res, 500, { error: 'random fault' });
      }
      accepted.set(token, (accepted.get(token) ?? 0) + 1);
      json(res, 200, { ContactId: 1001 });
    });
  });
  afterAll(() => partner.close());

  async function listen(portal: TestPortal): Promise<{ origin: string; server: Server }> {
    const server = createServer(portal.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
  }

  function portalOptions(): Partial<LoginWithTokenOptions<TestUser>> {
    return {
      commands: { LoginWithToken: { url: `${partner.origin}/validate`, body: '{"token":"{authToken}"}', timeoutMs: 5000 } },
      // All 500 users come from one address, and their replays are rejected on purpose.
      rateLimits: { handoffFailuresPerIp: 10_000, partnerCallsInFlightPerIp: 10_000 },
    };
  }

  async function run(origins: string[]): Promise<{ redeemed: number; injected: number }> {
    accepted.clear();
    injected = 0;
    failing = true;
    const tokens = Array.from({ length: tokensPerRun }, () => newToken('load'));
    const redeem = (token: string, index: number) =>
      fetch(`${origins[index % origins.length]}/authentication/login?authToken=${encodeURIComponent(token)}`, { redirect: 'manual', headers: { accept: 'application/json' } }).then(
        async (res) => {
          await res.arrayBuffer();
          return res.status;
        },
      );
    const first = await Promise.all(tokens.map(redeem));
    const signedIn = tokens.filter((_token, i) => first[i] === 303);
    const failed = tokens.filter((_token, i) => first[i] === 503);
    expect(signedIn.length + failed.length).toBe(tokensPerRun);
    expect(failed.length).toBe(injected);
    expect(new Set(signedIn)).toEqual(new Set(accepted.keys()));
    expect([...accepted.values()].every((count) => count === 1)).toBe(true);

    failing = false;
    const retried = await Promise.all(failed.map(redeem));
    expect(retried.every((status) => status === 303)).toBe(true);

    const replayed = await Promise.all(tokens.map(redeem));
    expect(replayed.every((status) => status === 401)).toBe(true);
    return { redeemed: signedIn.length + failed.length, injected };
  }

  it('on one instance with the memory store', { timeout: 60_000 }, async () => {
    const portal = createTestPortal(portalOptions());
    const { origin, server } = await listen(portal);
    try {
      const result = await run([origin]);
      expect(result.injected).toBeGreaterThan(tokensPerRun * 0.1);
      console.info(`load (memory): ${result.redeemed} tokens redeemed exactly once, ${result.injected} partner faults injected`);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await portal.login.close();
    }
  });

  describeRedis('on two instances sharing Redis', () => {
    let clients: Redis[];
    const prefix = uniquePrefix();
    beforeAll(async () => {
      clients = [await connectRedis(), await connectRedis()];
    });
    afterAll(async () => {
      await deleteKeys(clients[0]!, prefix);
      await Promise.all(clients.map((client) => client.quit()));
    });

    it('holds the same guarantees', { timeout: 60_000 }, async () => {
      const portals = clients.map((client) => createTestPortal({ ...portalOptions(), store: new RedisStore({ client, prefix }), hashKey: 'load-test-shared-key' }));
      const listening = await Promise.all(portals.map(listen));
      try {
        const result = await run(listening.map((entry) => entry.origin));
        console.info(`load (2 instances, Redis): ${result.redeemed} tokens redeemed exactly once, ${result.injected} partner faults injected`);
      } finally {
        for (const { server } of listening) {
          server.closeAllConnections();
          await new Promise((resolve) => server.close(resolve));
        }
        await Promise.all(portals.map((portal) => portal.login.close()));
      }
    });
  });
});
