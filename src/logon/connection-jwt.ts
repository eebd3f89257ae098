import { constants, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { jwtVerify } from 'jose';
import { readUnverifiedJwt } from '../crypto/unverified-jwt.js';
import type { AsymmetricAlgorithm } from '../config/token-type-schema.js';
import type { Clock } from '../time/clock.js';
import type { ParsedConnectionJwtOptions } from './connection-jwt-options.js';

/** What a valid connection JWT says. */
export interface ConnectionClaims {
  /** Store key of the connection it is bound to. */
  readonly sid: string;
  readonly tenant: string;
  readonly userId: string;
}

const jwsShape = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Signs and verifies the short-lived JWTs handed out with a connection. Each is bound to its
 * connection (`sid`), so ending the connection ends the JWT, and it never outlives it.
 */
export class ConnectionJwt {
  readonly #privateKey: KeyObject;
  readonly #publicKey: KeyObject;
  readonly #settings: ParsedConnectionJwtOptions;
  readonly #keyId: string;
  readonly #now: Clock;
  /** The encoded protected header, the same for every JWT. */
  readonly #header: string;

  /** Signs with `logon.jwt.privateKey` (a fresh ES256 key per process without one). */
  constructor(settings: ParsedConnectionJwtOptions, now: Clock) {
    this.#settings = settings;
    this.#now = now;
    if (settings.privateKey === undefined) {
      const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      this.#privateKey = pair.privateKey;
      this.#publicKey = pair.publicKey;
    } else {
      this.#privateKey = createPrivateKey(settings.privateKey);
      this.#publicKey = createPublicKey(this.#privateKey);
    }
    this.#keyId = settings.keyId ?? `lwt-${createHash('sha256').update(this.#publicKey.export({ format: 'der', type: 'spki' })).digest('base64url').slice(0, 16)}`;
    this.#header = Buffer.from(JSON.stringify({ alg: settings.algorithm, kid: this.#keyId, typ: 'JWT' })).toString('base64url');
  }

  /** The public key as a JWK with `kid`, `alg` and `use`, for a JWKS endpoint. */
  publicJwk(): Record<string, unknown> {
    return { ...this.#publicKey.export({ format: 'jwk' }), kid: this.#keyId, alg: this.#settings.algorithm, use: 'sig' };
  }

  /**
   * A JWT for the connection, expiring after `ttlSeconds` or with the connection, whichever is
   * first. Signed with node:crypto directly (less CPU than through WebCrypto), on libuv's thread
   * pool: of an ES256 signature's 25–30 µs of CPU the event loop then spends about 7, not all of
   * it (`npm run bench:signature`). Verified with jose.
   */
  sign(claims: ConnectionClaims, connectionExpiresAt: number): Promise<string> {
    const issuedAt = Math.floor(this.#now() / 1000);
    const expiresAt = Math.min(issuedAt + this.#settings.ttlSeconds, Math.floor(connectionExpiresAt / 1000));
    const payload = { sid: claims.sid, tid: claims.tenant, iss: this.#settings.issuer, sub: claims.userId, iat: issuedAt, exp: expiresAt };
    const input = `${this.#header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
    return signJws(this.#settings.algorithm, input, this.#privateKey).then((signature) => `${input}.${signature}`);
  }

  /**
   * Whether `token` is a JWT of ours, cheaply (no signature check): `current-key` when it names
   * our key id; `other-key` when it names our issuer under another key (a rotated key, or an
   * instance with another one); undefined when it is somebody else's. The `lwt-` key-id naming
   * is no mark: every portal running this package derives its key ids that way.
   */
  recognise(token: string): 'current-key' | 'other-key' | undefined {
    const jwt = readUnverifiedJwt(token);
    if (jwt === undefined) return undefined;
    const mark = jwt.header['kid'] === this.#keyId ? 'current-key' : jwt.claims?.['iss'] === this.#settings.issuer ? 'other-key' : undefined;
    // Only a token that names us is held to the strict shape; anybody else's is not ours either way.
    return mark !== undefined && jwsShape.test(token) ? mark : undefined;
  }

  /** The claims of a valid JWT of ours, or undefined. */
  async verify(token: string): Promise<ConnectionClaims | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.#publicKey, {
        issuer: this.#settings.issuer,
        algorithms: [this.#settings.algorithm],
        currentDate: new Date(this.#now()),
        requiredClaims: ['sid', 'tid', 'sub', 'exp'],
      });
      if (typeof payload['sid'] !== 'string' || typeof payload['tid'] !== 'string' || typeof payload.sub !== 'string') return undefined;
      return { sid: payload['sid'], tenant: payload['tid'], userId: payload.sub };
    } catch {
      return undefined;
    }
  }
}

/** A JWS signature (RFC 7518) over `input`, base64url, computed off the event loop. */
function signJws(algorithm: AsymmetricAlgorithm, input: string, key: KeyObject): Promise<string> {
  const digest = algorithm === 'EdDSA' ? null : `sha${algorithm.slice(2)}`;
  const options = algorithm.startsWith('ES')
    ? { key, dsaEncoding: 'ieee-p1363' as const }
    : algorithm.startsWith('PS')
      ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
      : key;
  return new Promise((resolve, reject) => {
    sign(digest, Buffer.from(input), options, (error, signature) => (error ? reject(error) : resolve(signature.toString('base64url'))));
  });
}
