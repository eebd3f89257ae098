import express from 'express';
import expressManifest from 'express/package.json' with { type: 'json' };
import ioredisManifest from 'ioredis/package.json' with { type: 'json' };
import passportManifest from 'passport/package.json' with { type: 'json' };
import { describe, expect, it } from 'vitest';
import { createPortal } from '../example-app/portal.js';
import { createLoginWithToken } from '../src/index.js';
import { rsaKeys } from './support/keys.js';

// vitest.config.ts runs the suite once per end of the supported ranges; this proves that a
// project really runs on the versions it names, in the sources and in the build alike.
const project = process.env['LWT_PROJECT'] ?? 'express-5';
const expected = Object.fromEntries((process.env['LWT_EXPECTED_VERSIONS'] ?? '').split(' ').map((pair) => pair.split('@') as [string, string]));

/** True when `router` was made by the `express` this test file imports. */
function madeByThisExpress(router: object): boolean {
  // Express 4 routers inherit from `express.Router` itself, Express 5 ones from its prototype.
  const Router = express.Router as unknown as object & { prototype: object };
  return Object.prototype.isPrototypeOf.call(Router, router) || Object.prototype.isPrototypeOf.call(Router.prototype, router);
}

describe(`project ${project}`, () => {
  it('imports the peer versions it is named after', () => {
    const major = (version: string) => (version.startsWith('0.') ? version.split('.').slice(0, 2).join('.') : version.split('.')[0]);
    expect({ express: major(expressManifest.version), passport: major(passportManifest.version), ioredis: major(ioredisManifest.version) }).toEqual(expected);
  });

  it('builds the package router from that express, from the sources and from the build', () => {
    const fromSources = createLoginWithToken({ resolveUser: () => null });
    const { login: fromBuild } = createPortal({ partnerOrigin: 'http://127.0.0.1:1', partnerApiKey: 'unused-partner-key', senderPublicKey: rsaKeys().publicPem, log: () => undefined });
    expect(madeByThisExpress(fromSources.router)).toBe(true);
    expect(madeByThisExpress(fromBuild.router)).toBe(true);
    expect(madeByThisExpress(express.Router())).toBe(true);
    return Promise.all([fromSources.close(), fromBuild.close()]);
  });
});
