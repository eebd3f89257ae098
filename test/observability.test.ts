import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LoginWithTokenOptions } from '../src/index.js';
import { capturedSoFar } from './support/leak-capture.js';
import { json, startPartnerServer, type PartnerServer } from './support/partner-server.js';
import { createTestPortal, newToken, type TestPortal, type TestUser } from './support/portal-app.js';
import { recordSecret } from './support/secrets.js';
import { recordTelemetry, type RecordedTelemetry } from './support/telemetry.js';

// Traces and metrics of every flow, end to end: a portal with its own OpenTelemetry SDK
// (in-memory span exporter, on-demand metric reader) and a real partner on loopback.

const password = recordSecret('observability-password-7c1e');
/** Tokens the partner vouches for (handoff and ValidateBearer), by token. */
const partnerTokens = new Map<string, unknown>();
let partner: PartnerServer;

function answer(received: { url: string; body: string }, res: Parameters<typeof json>[0]): void {
  const body = JSON.parse(received.body) as Record<string, string>;
  if (received.url.startsWith('/verify')) return body['password'] === password ? json(res, 200, { ContactId: 1001 }) : json(res, 401, {});
  const vouched = partnerTokens.get(body['token'] ?? '');
  return vouched === undefined ? json(res, 401, {}) : json(res, 200, vouched);
}

beforeAll(async () => {
  partner = await startPartnerServer(answer);
});
afterAll(() => partner.close());

let portal: TestPortal;
let recorded: RecordedTelemetry;
afterEach(async () => {
  partner.behave(answer);
  await portal?.login.close();
});

function createPortal(options: Partial<LoginWithTokenOptions<TestUser>> = {}): TestPortal {
  recorded = recordTelemetry();
  portal = createTestPortal({
    commands: {
      LoginWithToken: { url: `${partner.origin}/validate`, body: '{"token":"{authToken}"}' },
      ValidateBearer: { url: `${partner.origin}/bearer`, body: '{"token":"{bearerToken}"}' },
      VerifyCredentials: { url: `${partner.origin}/verify`, body: '{"username":"{username}","password":"{password}"}' },
    },
    logon: { tokenTypes: { apitoken: { kind: 'apitoken' } } },
    telemetry: recorded.options,
    ...options,
  });
  return portal;
}

/** A one-time token the partner vouches for, as Alice. */
function handoffToken(): string {
  const token = recordSecret(newToken('obs'));
  partnerTokens.set(token, { ContactId: 1001 });
  return token;
}

async function sessionToken(): Promise<string> {
  const res = await request(portal.app).post('/authentication/token').send({ username: 'alice', password, organisation: 'default' }).expect(200);
  return recordSecret(res.body.data.token as string);
}

function only(spans: ReadableSpan[]): ReadableSpan {
  expect(spans).toHaveLength(1);
  return spans[0]!;
}

describe('the handoff', () => {
  it('is one span with the partner call and its store calls below it, and counts as ok', async () => {
    createPortal();
    const token = handoffToken();
    await request(portal.app).get(`/authentication/login?authToken=${token}`).expect(303);

    const flow = only(recorded.spansNamed('handoff'));
    expect(flow.status.code).toBe(SpanStatusCode.UNSET);
    expect(flow.attributes).toMatchObject({ 'login_with_token.flow': 'handoff', 'login_with_token.outcome': 'ok', 'login_with_token.tenant': 'default' });
    const children = recorded.childrenOf(flow);
    const call = only(children.filter((span) => span.name === 'LoginWithToken'));
    expect(call.kind).toBe(SpanKind.CLIENT);
    expect(call.attributes).toMatchObject({
      'login_with_token.command': 'LoginWithToken',
      'login_with_token.outcome': 'ok',
      'http.request.method': 'POST',
      'server.address': '127.0.0.1',
      'server.port': Number(new URL(partner.origin).port),
      'http.response.status_code': 200,
    });
    expect(children.map((span) => span.name)).toEqual(expect.arrayContaining(['rateLimits.add', 'ledger.reserve', 'ledger.consume']));
    expect(await recorded.count('login_with_token.attempts', { 'login_with_token.flow': 'handoff', 'login_with_token.outcome': 'ok' })).toBe(1);
    expect(await recorded.count('login_with_token.flow.duration', { 'login_with_token.flow': 'handoff' })).toBe(1);
    expect(await recorded.count('login_with_token.partner.duration', { 'login_with_token.command': 'LoginWithToken', 'login_with_token.outcome': 'ok' })).toBe(1);
  });

  it('shows a partner outage as an error span with validator_unavailable, never a stack', async () => {
    createPortal();
    partner.behave((_received, res) => json(res, 503, { error: 'down' }));
    await request(portal.app).get(`/authentication/login?authToken=${handoffToken()}`).expect(503);

    const flow = only(recorded.spansNamed('handoff'));
    expect(flow.status).toEqual({ code: SpanStatusCode.ERROR, message: 'validator_unavailable' });
    expect(flow.attributes).toMatchObject({ 'login_with_token.outcome': 'validator_unavailable', 'error.type': 'validator_unavailable', 'login_with_token.error.number': 10246 });
    expect(flow.events).toEqual([]);
    const call = only(recorded.spansNamed('LoginWithToken'));
    expect(call.status.code).toBe(SpanStatusCode.ERROR);
    expect(call.attributes).toMatchObject({ 'http.response.status_code': 503, 'login_with_token.outcome': 'validator_unavailable' });
    expect(await recorded.count('login_with_token.attempts', { 'login_with_token.flow': 'handoff', 'login_with_token.outcome': 'validator_unavailable' })).toBe(1);
    expect(await recorded.count('login_with_token.partner.duration', { 'login_with_token.outcome': 'validator_unavailable' })).toBe(1);
  });

  it('records a token the partner refuses as rejected on the call and token_invalid on the flow', async () => {
    createPortal();
    await request(portal.app).get(`/authentication/login?authToken=${recordSecret(newToken('unknown'))}`).expect(401);
    expect(only(recorded.spansNamed('LoginWithToken')).attributes).toMatchObject({ 'login_with_token.outcome': 'rejected', 'http.response.status_code': 401 });
    expect(only(recorded.spansNamed('handoff')).attributes).toMatchObject({ 'login_with_token.outcome': 'token_invalid', 'login_with_token.error.number': 10376 });
  });
});

describe('session tokens, bearer tokens and logout', () => {
  it('gives each flow its span and count, with the token type a bearer token was accepted as', async () => {
    createPortal();
    const token = await sessionToken();
    await request(portal.app).get('/api/me').set('authorization', `Bearer ${token}`).expect(200);
    await request(portal.app).post('/authentication/logout').set('authorization', `Bearer ${token}`).expect(200);
    await request(portal.app).get('/api/me').set('authorization', `Bearer ${token}`).expect(401);

    expect(only(recorded.spansNamed('session-token')).attributes).toMatchObject({ 'login_with_token.outcome': 'ok' });
    expect(recorded.childrenOf(only(recorded.spansNamed('session-token'))).map((span) => span.name)).toEqual(expect.arrayContaining(['VerifyCredentials', 'sessions.create']));
    const [accepted, refused] = recorded.spansNamed('bearer');
    expect(accepted!.attributes).toMatchObject({ 'login_with_token.outcome': 'ok', 'login_with_token.token_type': 'session-token', 'login_with_token.tenant': 'default' });
    expect(recorded.childrenOf(accepted!).map((span) => span.name)).toEqual(['sessions.use']);
    expect(refused!.attributes).toMatchObject({ 'login_with_token.outcome': 'token_invalid' });
    expect(only(recorded.spansNamed('logout')).attributes).toMatchObject({ 'login_with_token.outcome': 'ok' });
    for (const [flow, outcome] of [
      ['session-token', 'ok'],
      ['bearer', 'ok'],
      ['bearer', 'token_invalid'],
      ['logout', 'ok'],
    ] as const) {
      expect(await recorded.count('login_with_token.attempts', { 'login_with_token.flow': flow, 'login_with_token.outcome': outcome }), `${flow} ${outcome}`).toBe(1);
    }
  });

  it('counts wrong credentials as login_failed', async () => {
    createPortal();
    await request(portal.app).post('/authentication/token').send({ username: 'alice', password: recordSecret('observability-wrong-1'), organisation: 'default' }).expect(401);
    expect(only(recorded.spansNamed('session-token')).attributes).toMatchObject({ 'login_with_token.outcome': 'login_failed', 'login_with_token.error.number': 10006 });
    expect(only(recorded.spansNamed('VerifyCredentials')).attributes).toMatchObject({ 'login_with_token.outcome': 'rejected' });
  });

  it("counts the partner-answer cache's misses and hits, and traces only the call a miss makes", async () => {
    createPortal();
    const token = recordSecret(newToken('partner-bearer'));
    partnerTokens.set(token, { ContactId: 1001 });
    for (let i = 0; i < 3; i++) await request(portal.app).get('/api/me').set('authorization', `Bearer ${token}`).expect(200);
    expect(await recorded.count('login_with_token.bearer_cache.lookups', { 'login_with_token.cache.result': 'miss' })).toBe(1);
    expect(await recorded.count('login_with_token.bearer_cache.lookups', { 'login_with_token.cache.result': 'hit' })).toBe(2);
    const calls = recorded.spansNamed('ValidateBearer');
    expect(calls).toHaveLength(1);
    expect(recorded.spansNamed('bearer').map((span) => span.attributes['login_with_token.token_type'])).toEqual(['bearer', 'bearer', 'bearer']);
    expect(calls[0]!.parentSpanContext?.spanId).toBe(recorded.spansNamed('bearer')[0]!.spanContext().spanId);
  });
});

describe('LogonWithToken', () => {
  it('names the token type on its span as configured, however the client spelt it, and counts the outcome', async () => {
    createPortal();
    const created = await portal.login.apiTokens.create({ userId: 'u-alice', contactId: '1001' });
    recordSecret(created.token);
    await request(portal.app).post('/Authentication/LogonWithToken').send({ token: created.token, tokenType: 'ApiToken' }).expect(200);
    await request(portal.app).post('/Authentication/LogonWithToken').send({ token: recordSecret('lwt_not-a-real-api-token-0000'), tokenType: 'apitoken' });
    const [ok, failed] = recorded.spansNamed('logon-with-token');
    expect(ok!.attributes).toMatchObject({ 'login_with_token.outcome': 'ok', 'login_with_token.token_type': 'apitoken' });
    expect(failed!.status.code).toBe(SpanStatusCode.ERROR);
    expect(typeof failed!.attributes['login_with_token.error.number']).toBe('number');
    expect(await recorded.count('login_with_token.attempts', { 'login_with_token.flow': 'logon-with-token', 'login_with_token.outcome': 'ok' })).toBe(1);
  });
});

describe('the store gauge', () => {
  it("reports the MemoryStore's used tokens and sessions", async () => {
    createPortal();
    await request(portal.app).get(`/authentication/login?authToken=${handoffToken()}`).expect(303);
    await sessionToken();
    const entries = await recorded.points('login_with_token.store.entries');
    expect(Object.fromEntries(entries.map((point) => [point.attributes['login_with_token.store.role'], point.value]))).toEqual({ ledger: 1, sessions: 1 });
  });
});

describe('secrets', () => {
  it.runIf(process.env['LWT_GLOBAL_SDK'] === '1')("hands every span of a portal on the global SDK to the suite's leak check", async () => {
    recorded = recordTelemetry();
    portal = createTestPortal({ commands: { LoginWithToken: { url: `${partner.origin}/validate`, body: '{"token":"{authToken}"}' } } });
    const before = capturedSoFar().length;
    await request(portal.app).get(`/authentication/login?authToken=${handoffToken()}`).expect(303);
    const spans = capturedSoFar()
      .slice(before)
      .filter((text) => text.includes('"login_with_token.flow":"handoff"'));
    expect(spans).toHaveLength(1);
    expect(recorded.spans()).toEqual([]);
  });

  it('never puts a token, a password or an answer body into a span or a metric', async () => {
    createPortal();
    const handoff = handoffToken();
    partnerTokens.set(handoff, { ContactId: 1001, secretNote: recordSecret('observability-answer-body-secret') });
    await request(portal.app).get(`/authentication/login?authToken=${handoff}`).expect(303);
    const token = await sessionToken();
    await request(portal.app).get('/api/me').set('authorization', `Bearer ${token}`).expect(200);
    await request(portal.app).post('/authentication/token').send({ username: 'alice', password: recordSecret('observability-wrong-2'), organisation: 'default' }).expect(401);
    const text = await recorded.text();
    expect(recorded.spans().length).toBeGreaterThan(5);
    for (const secret of [handoff, token, password, 'observability-wrong-2', 'observability-answer-body-secret', partner.origin]) expect(text).not.toContain(secret);
  });
});
