import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PartnerDispatcher } from '../src/destination/partner-dispatcher.js';
import { readCappedBody } from '../src/executor/read-capped-body.js';
import { partnerPool } from './support/partner-pool.js';
import { startPartnerServer, type PartnerServer } from './support/partner-server.js';

const tooLarge = () => new Error('too large');

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(() => undefined, (caught: unknown) => caught);
}

describe('readCappedBody', () => {
  it('returns every chunk of a body within the cap, joined, up to exactly the cap', async () => {
    const body = Readable.from([Buffer.from('ab'), Buffer.from('cd'), Buffer.from('ef')]);
    expect((await readCappedBody(body, 6, tooLarge)).toString()).toBe('abcdef');
  });

  it('returns an empty buffer for an empty body', async () => {
    expect(await readCappedBody(Readable.from([]), 10, tooLarge)).toEqual(Buffer.alloc(0));
  });

  it("throws the caller's error and destroys the body one byte past the cap", async () => {
    const body = Readable.from([Buffer.from('abc'), Buffer.from('defg')]);
    const error = new Error('answer too large');
    expect(await failure(readCappedBody(body, 6, () => error))).toBe(error);
    expect(body.destroyed).toBe(true);
  });

  it('stops pulling from an endless body once it passes the cap', async () => {
    let pulled = 0;
    function* endless() {
      for (;;) {
        pulled++;
        yield Buffer.alloc(1024);
      }
    }
    const body = Readable.from(endless());
    expect(await failure(readCappedBody(body, 10 * 1024, tooLarge))).toEqual(tooLarge());
    // The cap plus the stream's read-ahead, not the gigabytes an endless body would be.
    expect(pulled).toBeLessThan(64);
    expect(body.destroyed).toBe(true);
  });

  it('passes on an error of the body itself', async () => {
    const fault = new Error('socket hang up');
    const body = new Readable({
      read() {
        this.destroy(fault);
      },
    });
    expect(await failure(readCappedBody(body, 1024, tooLarge))).toBe(fault);
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

    it('drops the connection of a partner that keeps streaming past the cap', async () => {
      let written = 0;
      const closed = new Promise<void>((resolve) => {
        partner.behave((_r, res) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          const chunk = Buffer.alloc(16 * 1024, 0x20);
          const pump = () => {
            while (!res.destroyed && written < 64 * 1024 * 1024 && res.write(chunk)) written += chunk.length;
          };
          res.on('drain', pump);
          res.on('close', () => resolve());
          pump();
        });
      });
      const { body } = await pool.dispatcher.request({ origin: partner.origin, path: '/stream', method: 'GET' });
      // undici reports the destroy as an error event; the read already failed with ours.
      body.on('error', () => undefined);
      expect(await failure(readCappedBody(body, 64 * 1024, tooLarge))).toEqual(tooLarge());
      await closed;
      expect(written).toBeLessThan(16 * 1024 * 1024);
    });
  });
});
