import express, { type Request } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { toRequestInfo } from '../src/adapters/to-request-info.js';
import type { RequestInfo } from '../src/request/request-info.js';

/** An app whose one route reports what the request view says; `trust` is Express's `trust proxy`. */
function appSeeing(trust?: unknown) {
  const app = express();
  if (trust !== undefined) app.set('trust proxy', trust);
  app.use(express.json());
  app.all('/seen', (req: Request, res) => {
    const view: RequestInfo = toRequestInfo(req);
    res.json({ ip: view.ip, expressIp: req.ip, method: view.method, query: view.query, body: view.body ?? null, authorizations: view.rawHeaders?.filter((_value, i) => i % 2 === 0 && /^authorization$/i.test(_value)).length });
  });
  return app;
}

describe('toRequestInfo', () => {
  it('takes the socket address with trust proxy off (the default), whatever X-Forwarded-For claims', async () => {
    const seen = await request(appSeeing()).get('/seen').set('x-forwarded-for', '203.0.113.9');
    expect(seen.body.ip).toMatch(/^(::ffff:)?127\.0\.0\.1$|^::1$/);
    expect(seen.body.ip).toBe(seen.body.expressIp);
  });

  it.each([['loopback'], [true], [1]])('follows X-Forwarded-For as req.ip does when trust proxy is %s', async (trust) => {
    const seen = await request(appSeeing(trust)).get('/seen').set('x-forwarded-for', '203.0.113.9');
    expect(seen.body.ip).toBe('203.0.113.9');
    expect(seen.body.ip).toBe(seen.body.expressIp);
  });

  it('reads method, query, parsed body and raw headers from Express, duplicates included', async () => {
    const seen = await request(appSeeing()).post('/seen?tenantName=acme').set('authorization', 'Bearer a').send({ token: 'x' });
    expect(seen.body).toMatchObject({ method: 'POST', query: { tenantName: 'acme' }, body: { token: 'x' }, authorizations: 1 });
  });
});
