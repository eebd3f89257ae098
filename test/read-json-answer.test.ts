import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PartnerDispatcher } from '../src/destination/partner-dispatcher.js';
import { LoginError } from '../src/errors/login-error.js';
import { readJsonAnswer } from '../src/executor/read-json-answer.js';
import { partnerPool } from './support/partner-pool.js';
import { json, startPartnerServer, type PartnerServer } from './support/partner-server.js';
import { recordSecret } from './support/secrets.js';

const text = (value: string) => Readable.from([Buffer.from(value)]);

async function failure(promise: Promise<unknown>): Promise<LoginError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(LoginError);
  expect((error as LoginError).code).toBe('validator_unavailable');
  return error as LoginError;
}

describe('readJsonAnswer', () => {
  describe('content type', () => {
    it.each([
      'application/json',
      'application/json; charset=utf-8',
      'Application/JSON',
      'application/problem+json',
      'application/vnd.partner.v2+json;charset=utf-8',
      'text/json',
      'text/plain; charset=utf-8',
    ])('parses the body of %j', async (type) => {
      await expect(readJsonAnswer(text('{"ContactId":7}'), type, undefined, 1024)).resolves.toEqual({ ContactId: 7 });
    });

    it('parses a body without a content type', async () => {
      await expect(readJsonAnswer(text('[1,2]'), undefined, undefined, 1024)).resolves.toEqual([1, 2]);
    });

    it.each(['text/html', 'application/jsonp', 'application/json-seq', 'application/x-www-form-urlencoded', 'application/xml', 'json', ''])(
      'refuses %j without reading the body',
      async (type) => {
        const body = text('{"ContactId":7}');
        expect((await failure(readJsonAnswer(body, type, undefined, 1024))).reason).toBe('partner answered a non-JSON content type');
        expect(body.destroyed).toBe(true);
      },
    );

    it('goes by the first of repeated content types', async () => {
      await expect(readJsonAnswer(text('{}'), ['application/json', 'text/html'], undefined, 1024)).resolves.toEqual({});
      await failure(readJsonAnswer(text('{}'), ['text/html', 'application/json'], undefined, 1024));
    });
  });

  describe('size cap', () => {
    it('refuses a declared length over the cap without reading the body', async () => {
      const body = text('{}');
      expect((await failure(readJsonAnswer(body, 'application/json', '1025', 1024))).reason).toBe('partner answer is larger than the size cap');
      expect(body.destroyed).toBe(true);
      await failure(readJsonAnswer(text('{}'), 'application/json', ['1025', '2'], 1024));
    });

    it('refuses a body that grows past the cap when no length is declared', async () => {
      const body = Readable.from([Buffer.from('{"pad":"'), Buffer.from('x'.repeat(1024)), Buffer.from('"}')]);
      expect((await failure(readJsonAnswer(body, 'application/json', undefined, 1024))).reason).toBe('partner answer is larger than the size cap');
    });

    it('caps a plain stream by what it sends, whatever length it declares', async () => {
      const body = Readable.from([Buffer.from(`{"pad":"${'x'.repeat(2000)}"}`)]);
      expect((await failure(readJsonAnswer(body, 'application/json', '10', 1024))).reason).toBe('partner answer is larger than the size cap');
    });

    it('accepts an answer of exactly the cap', async () => {
      const answer = `{"pad":"${'x'.repeat(1024 - 10)}"}`;
      expect(Buffer.byteLength(answer)).toBe(1024);
      await expect(readJsonAnswer(text(answer), 'application/json', String(answer.length), 1024)).resolves.toEqual({ pad: 'x'.repeat(1014) });
    });
  });

  describe('JSON', () => {
    it.each(['', 'nope', '{"ContactId":', '<h1>login</h1>'])('refuses %j as invalid JSON', async (answer) => {
      expect((await failure(readJsonAnswer(text(answer), 'application/json', undefined, 1024))).reason).toBe('partner answered invalid JSON');
    });

    it('keeps the body of a broken answer out of the error', async () => {
      const token = recordSecret('tok-echoed-by-a-broken-partner-5d1f');
      const error = await failure(readJsonAnswer(text(`{"echo":"${token}"`), 'application/json', undefined, 1024));
      expect(JSON.stringify({ message: error.message, reason: error.reason, description: error.description })).not.toContain(token);
      expect(error.cause).toBeUndefined();
    });

    it('parses JSON scalars as they are, for the caller to judge', async () => {
      await expect(readJsonAnswer(text('null'), 'application/json', undefined, 1024)).resolves.toBeNull();
      await expect(readJsonAnswer(text('"1001"'), 'application/json', undefined, 1024)).resolves.toBe('1001');
    });

    it('decodes UTF-8 split across chunks', async () => {
      const bytes = Buffer.from('{"name":"Zoë"}');
      const split = bytes.indexOf(0xc3) + 1;
      const body = Readable.from([bytes.subarray(0, split), bytes.subarray(split)]);
      await expect(readJsonAnswer(body, 'application/json', undefined, 1024)).resolves.toEqual({ name: 'Zoë' });
    });
  });

  describe('with a real partner answer', () => {
    let partner: PartnerServer;
    let pool: PartnerDispatcher;
    beforeAll(async () => {
      partner = await startPartnerServer();
      pool = partnerPool({ allowPrivateAddresses: ['127.0.0.1'] });
    });
    afterAll(async () => {
      await pool.close();
      await partner.close();
    });

    async function answer(path: string) {
      const { headers, body } = await pool.dispatcher.request({ origin: partner.origin, path, method: 'GET' });
      body.on('error', () => undefined);
      return readJsonAnswer(body, headers['content-type'], headers['content-length'], 1024);
    }

    it('reads a body of declared length and a chunked one', async () => {
      partner.behave((_r, res) => json(res, 200, { ContactId: 1001 }));
      await expect(answer('/declared')).resolves.toEqual({ ContactId: 1001 });
      partner.behave((_r, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"ContactId":');
        res.end('1002}');
      });
      await expect(answer('/chunked')).resolves.toEqual({ ContactId: 1002 });
    });

    it('refuses a chunked answer that streams past the cap', async () => {
      partner.behave((_r, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"pad":"');
        res.end(`${'x'.repeat(4096)}"}`);
      });
      expect((await failure(answer('/big'))).reason).toBe('partner answer is larger than the size cap');
    });
  });
});
