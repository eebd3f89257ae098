import { request as httpRequest, createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { generateKeyPairSync } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPortal, type TestPortal } from './support/portal-app.js';

// A bounded fuzz run against every route of a fully configured portal: random methods, paths,
// query shapes, headers, encodings, bodies and lengths. No answer may be a 5xx, and the server
// must keep working. The seed is printed, so a failure can be replayed with FUZZ_SEED.
const total = 5000;
const seed = Number(process.env['FUZZ_SEED'] ?? 20261128);

function prng(state: number) {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('HTTP fuzzing', () => {
  let portal: TestPortal;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    portal = createTestPortal({
      commands: {
        LoginWithToken: { run: ({ authToken }) => (authToken === 'fuzz-valid-token' ? { ContactId: 1001 } : null) },
        ValidateBearer: { run: ({ bearerToken }) => (bearerToken === 'partner-valid' ? { ContactId: 1001 } : null) },
        VerifyCredentials: { run: ({ username, password }) => (username === 'alice' && password === 'fuzz-password-1' ? { ContactId: 1001 } : null) },
        VerifyAccessToken: { run: () => null },
      },
      embedding: { frameAncestors: ['https://partner.example'] },
      rateLimits: { tokenFailuresPerIp: 1e9, tokenFailuresPerUsername: 1e9, tokenFailuresPerUsernameTotal: 1e9, bearerFailuresPerIp: 1e9, handoffFailuresPerIp: 1e9 },
      logon: {
        tokenTypes: {
          apitoken: { kind: 'apitoken' },
          InfoShareToken: { kind: 'signed-sender', keys: [publicKey.export({ format: 'pem', type: 'spki' }).toString()] },
          profile: { kind: 'jwt', issuer: 'https://idp.example', audience: 'portal', keys: [publicKey.export({ format: 'pem', type: 'spki' }).toString()], algorithms: ['ES256'] },
        },
      },
    });
    server = createServer(portal.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await portal.login.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it(`answers ${total} random requests without a 5xx, and keeps working`, { timeout: 120_000 }, async () => {
    const random = prng(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const text = (max: number) => {
      const length = Math.floor(random() ** 3 * max);
      let out = '';
      for (let i = 0; i < length; i++) out += String.fromCharCode(random() < 0.9 ? 32 + Math.floor(random() * 95) : Math.floor(random() * 0x2fff));
      return out;
    };
    const paths = [
      '/authentication/login', '/authentication/token', '/authentication/logout', '/Authentication/LogonWithToken',
      '/Authentication/GetAllTenantNames', '/Authentication/GetTokenSettings', '/Authentication/Logoff',
      '/api/me', '/api/passport/me', '/whoami', '/AUTHENTICATION/LOGIN', '/authentication/login/', '/authentication//token',
    ];
    const queries = [
      () => '', () => `?authToken=${encodeURIComponent(text(60))}`, () => '?authToken=a&authToken=b', () => '?authToken[x]=1',
      () => `?returnTo=${encodeURIComponent(pick(['//evil.com', '/\\evil', '/ok', text(30)]))}&authToken=fuzz-valid-token`,
      () => '?noChrome=true&authToken=x', () => `?access_token=${encodeURIComponent(text(40))}`, () => `?profileId=${encodeURIComponent(text(20))}`,
      () => `?${encodeURIComponent(text(20))}=${encodeURIComponent(text(20))}`, () => '?%zz=%', () => `?a=${'x'.repeat(9000)}`,
    ];
    const contentTypes = ['application/json', 'application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'application/json; charset=bogus', 'garbage/!!', undefined];
    const bodies = [
      () => Buffer.alloc(0),
      () => Buffer.from(text(200)),
      () => Buffer.from(JSON.stringify({ authToken: text(20), username: pick(['alice', text(10)]), password: text(10), organisation: pick(['X', '', text(5)]) })),
      () => Buffer.from(JSON.stringify({ token: text(50), tokenType: pick(['apitoken', 'InfoShareToken', 'profile', text(8)]), tenantName: pick([null, 'default', text(5)]), clientId: pick([null, 5, text(5)]) })),
      () => Buffer.from(JSON.stringify({ access_token_identifier: pick([{}, { identifier: text(5) }, { authentication_code: 1 }, [], 'x']), organisation: 'X' })),
      () => Buffer.from(JSON.stringify([1, { __proto__: { polluted: true } }, 'constructor'])),
      () => Buffer.from('{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}'),
      () => Buffer.from(`access_token=${encodeURIComponent(text(30))}&authToken=${encodeURIComponent(text(30))}`),
      () => Buffer.from('{"authToken":'),
      () => Buffer.from('x'.repeat(40_000)),
      () => gzipSync(Buffer.from(JSON.stringify({ authToken: text(20) }))),
      () => Buffer.from(Array.from({ length: 300 }, () => Math.floor(random() * 256))),
    ];
    const authorizations = [undefined, 'Bearer ', `Bearer ${text(40)}`, 'Bearer partner-valid', 'Bearer lwts_' + 'A'.repeat(43), 'Basic YTpi', `Bearer ${'a'.repeat(20_000)}`, 'bearer 0b8e3a52-6f7d-4c1e-9a3b-2d4c5e6f7a8b', text(30)];
    const statuses = new Map<number, number>();
    let clientRefused = 0;
    const unanswered: string[] = [];

    const send = () =>
      new Promise<void>((resolve) => {
        const method = pick(['GET', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']);
        const body = method === 'GET' || method === 'HEAD' ? (random() < 0.1 ? pick(bodies)() : Buffer.alloc(0)) : pick(bodies)();
        const headers: Record<string, string> = { 'content-length': String(body.length) };
        const type = pick(contentTypes);
        if (type) headers['content-type'] = type;
        const authorization = pick(authorizations);
        if (authorization !== undefined) headers['authorization'] = authorization;
        if (random() < 0.2) headers['content-encoding'] = pick(['gzip', 'deflate', 'br', 'identity', 'bogus']);
        if (random() < 0.3) headers['accept'] = pick(['application/json', 'text/html', '*/*', text(10)]);
        if (random() < 0.1) headers['sec-fetch-dest'] = 'iframe';
        if (random() < 0.2) headers['x-forwarded-proto'] = pick(['https', 'http', text(5)]);
        if (random() < 0.2) headers['x-forwarded-for'] = pick(['203.0.113.9', '2001:db8::1', text(15), '::ffff:10.0.0.1']);
        let req;
        const path = pick(paths) + pick(queries)();
        try {
          req = httpRequest({ host: '127.0.0.1', port, method, path, headers, agent: false });
        } catch {
          clientRefused++; // Node's client refuses characters HTTP does not allow; nothing was sent.
          resolve();
          return;
        }
        req.on('response', (res) => {
          statuses.set(res.statusCode ?? 0, (statuses.get(res.statusCode ?? 0) ?? 0) + 1);
          res.resume();
          res.on('end', resolve);
          res.on('error', () => resolve());
        });
        req.on('error', () => resolve());
        req.setTimeout(5000, () => {
          unanswered.push(`${method} ${path.slice(0, 80)}`);
          req.destroy();
        });
        req.end(body);
      });

    for (let sent = 0; sent < total; sent += 16) await Promise.all(Array.from({ length: Math.min(16, total - sent) }, send));

    // Raw garbage that no HTTP client would send.
    for (let i = 0; i < 50; i++) {
      await new Promise<void>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        socket.setTimeout(300, () => socket.destroy());
        socket.on('data', () => socket.destroy()); // an answer came: enough
        socket.on('error', () => resolve());
        socket.on('close', () => resolve());
        socket.end(pick(['GET /authentication/login?authToken=x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', `${text(100)}\r\n\r\n`, 'POST /authentication/token HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n']));
      });
    }

    const serverErrors = [...statuses].filter(([status]) => status >= 500);
    console.info(`fuzz seed ${seed}: ${total} requests, ${clientRefused} refused by the client, statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect(serverErrors).toEqual([]);
    expect(unanswered).toEqual([]);
    expect([...statuses.values()].reduce((a, b) => a + b, 0) + clientRefused).toBe(total);

    const alive = await fetch(`http://127.0.0.1:${port}/authentication/login?authToken=fuzz-valid-token`, { redirect: 'manual' });
    expect([303, 401]).toContain(alive.status);
    const whoami = await fetch(`http://127.0.0.1:${port}/whoami`);
    expect(whoami.status).toBe(200);
  });
});
