// Reference for ours-logon-jwt: the smallest correct Express code a competent developer would
// write for the same LogonWithToken — express.json, jose's jwtVerify (issuer, audience, RS256),
// the user found by `upn`, a connection id from randomUUID kept in a Map (at most 100 per user,
// the oldest ending), and an ES256 JWT for the connection signed with jose's SignJWT, answered in
// the same envelope with the same fields.
import { createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import express from 'express';
import { jwtVerify, SignJWT } from 'jose';
import { resolveUser } from './common.mjs';

const connectionTimeoutSeconds = 1200;
const connectionsPerUser = 100;

export function start({ jwt }) {
  const publicKey = createPublicKey(jwt.publicKeyPem);
  const verifyOptions = { issuer: jwt.issuer, audience: jwt.audience, algorithms: ['RS256'] };
  const { privateKey: signingKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  /** Connection id → { userId, idleUntil }; and per user, their connection ids, oldest first. */
  const connections = new Map();
  const byUser = new Map();

  const app = express();
  app.post('/Authentication/LogonWithToken', express.json({ limit: '32kb' }), async (req, res) => {
    const { token, tokenType } = req.body ?? {};
    if (typeof token !== 'string' || tokenType !== 'profile-1') return res.status(400).json({ error: 'token_missing' });
    let payload;
    try {
      ({ payload } = await jwtVerify(token, publicKey, verifyOptions));
    } catch {
      return res.status(401).json({ error: 'token_invalid' });
    }
    const user = typeof payload.upn === 'string' ? resolveUser({ contactEmail: payload.upn }) : undefined;
    if (user === undefined) return res.status(401).json({ error: 'user_unknown' });
    const connectionId = randomUUID();
    connections.set(connectionId, { userId: user.id, idleUntil: Date.now() + connectionTimeoutSeconds * 1000 });
    const mine = byUser.get(user.id) ?? [];
    mine.push(connectionId);
    if (mine.length > connectionsPerUser) connections.delete(mine.shift());
    byUser.set(user.id, mine);
    const connectionJwt = await new SignJWT({ sid: connectionId })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
      .setIssuer('https://portal.bench.invalid')
      .setSubject(user.id)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(signingKey);
    res.set('cache-control', 'no-store').json({
      LogonWithToken: {
        AbsenceInfo: { AbsenceDateEnd: '', AbsenceDateStart: '', Absent: false, DeputyRepresentativeUserId: null },
        ConnectionId: connectionId,
        ConnectionTimeoutSeconds: connectionTimeoutSeconds,
        IsApplicationLicence: false,
        IsConcurrentLicence: false,
        IsNamedLicence: false,
        IsVerificationCodeNeeded: false,
        PossibleTwoWayAuthenticationType: 'None',
        TwoWayAuthenticationTargetMail: null,
        JWTToken: connectionJwt,
      },
    });
  });
  return { app };
}
