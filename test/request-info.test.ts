import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { toRequestInfo } from '../src/adapters/to-request-info.js';
import { readParameter, type RequestInfo } from '../src/request/request-info.js';
import { recordSecret } from './support/secrets.js';

const info = (overrides: Partial<RequestInfo>): RequestInfo => ({ method: 'GET', headers: {}, query: {}, body: undefined, ip: '203.0.113.7', ...overrides });

/** A real app whose route answers what `readParameter` reads for `authToken`, parsed as the routes parse bodies. */
const app = express();
app.all('/read', express.urlencoded({ extended: false }), express.json(), (req, res) => {
  res.json({ value: readParameter(toRequestInfo(req), 'authToken') ?? null });
});

describe('readParameter', () => {
  it('reads a string from the query', () => {
    const token = recordSecret('tok-from-query');
    expect(readParameter(info({ query: { authToken: token } }), 'authToken')).toBe(token);
    expect(readParameter(info({ query: {} }), 'authToken')).toBeUndefined();
  });

  it('reads the body only for methods other than GET and HEAD', () => {
    const token = recordSecret('tok-from-body');
    expect(readParameter(info({ method: 'POST', body: { authToken: token } }), 'authToken')).toBe(token);
    expect(readParameter(info({ method: 'GET', body: { authToken: token } }), 'authToken')).toBeUndefined();
    expect(readParameter(info({ method: 'HEAD', body: { authToken: token } }), 'authToken')).toBeUndefined();
  });

  it('prefers the query over the body', () => {
    const inQuery = recordSecret('tok-query-wins');
    expect(readParameter(info({ method: 'POST', query: { authToken: inQuery }, body: { authToken: recordSecret('tok-body-loses') } }), 'authToken')).toBe(inQuery);
  });

  it('reads arrays, objects, numbers and null as absent', () => {
    for (const value of [['a', 'b'], { nested: 'a' }, 42, null, true]) {
      expect(readParameter(info({ method: 'POST', query: { authToken: value }, body: { authToken: value } }), 'authToken')).toBeUndefined();
    }
  });

  it('reads a string with a lone surrogate as absent, in query and body alike', () => {
    expect(readParameter(info({ query: { authToken: 'a\ud800' } }), 'authToken')).toBeUndefined();
    expect(readParameter(info({ method: 'POST', body: { authToken: '\udc00b' } }), 'authToken')).toBeUndefined();
  });

  it('reads only own body properties, so a polluted prototype supplies nothing', () => {
    const body = Object.create({ authToken: recordSecret('tok-from-prototype') }) as object;
    expect(readParameter(info({ method: 'POST', body }), 'authToken')).toBeUndefined();
    expect(readParameter(info({ method: 'POST', body: {} }), 'toString')).toBeUndefined();
  });

  it('reads nothing from a body that is not an object', () => {
    for (const body of ['authToken=x', null, undefined, 7]) expect(readParameter(info({ method: 'POST', body }), 'authToken')).toBeUndefined();
  });

  describe('on a real Express request', () => {
    it('reads the query, a form body and a JSON body', async () => {
      const token = recordSecret('tok-express-real');
      expect((await request(app).get('/read').query({ authToken: token })).body).toEqual({ value: token });
      expect((await request(app).post('/read').type('form').send({ authToken: token })).body).toEqual({ value: token });
      expect((await request(app).post('/read').send({ authToken: token })).body).toEqual({ value: token });
    });

    const [one, two] = [recordSecret('tok-repeated-one'), recordSecret('tok-repeated-two')];

    it('reads a repeated or bracketed query parameter as absent', async () => {
      expect((await request(app).get(`/read?authToken=${one}&authToken=${two}`)).body).toEqual({ value: null });
      expect((await request(app).get(`/read?authToken[x]=${one}`)).body).toEqual({ value: null });
      expect((await request(app).get(`/read?authToken[]=${one}`)).body).toEqual({ value: null });
    });

    it('reads a repeated form field and a JSON lone surrogate as absent', async () => {
      expect((await request(app).post('/read').type('form').send(`authToken=${one}&authToken=${two}`)).body).toEqual({ value: null });
      expect((await request(app).post('/read').type('json').send('{"authToken":"tok-\\ud800"}')).body).toEqual({ value: null });
    });
  });
});
