import { describe, expect, it } from 'vitest';
import { AttemptAudit, type AuditDependencies } from '../src/audit/attempt-audit.js';
import type { AuditEvent } from '../src/audit/audit-event.js';
import { createKeyedHashes } from '../src/audit/token-hash.js';
import { LoginError } from '../src/errors/login-error.js';
import { Telemetry } from '../src/telemetry/telemetry.js';
import { captureText } from './support/leak-capture.js';
import { recordSecret } from './support/secrets.js';

const start = Date.parse('2026-11-28T12:00:00Z');
const token = recordSecret('partner-token-5f1c9a7e2b');
const request = { ip: '203.0.113.7' };

function setup({ sink = true, throwingSink = false } = {}) {
  let now = start;
  const events: AuditEvent[] = [];
  const hashes = createKeyedHashes(recordSecret('audit-test-hash-key-0123456789'));
  let hashed = 0;
  const deps: AuditDependencies = {
    audit: sink
      ? (event) => {
          captureText(JSON.stringify(event));
          events.push(event);
          if (throwingSink) throw new Error('log shipper down');
        }
      : undefined,
    tokenHash: (value) => {
      hashed++;
      return hashes.tokenHash(value);
    },
    now: () => now,
    telemetry: new Telemetry({}),
  };
  return { deps, events, hashes, hashed: () => hashed, advance: (ms: number) => (now += ms) };
}

describe('AttemptAudit', () => {
  it('reports a success with its start, the time it took and what the flow learned', () => {
    const { deps, events, hashes, advance } = setup();
    const audit = new AttemptAudit(deps, 'handoff', request);
    advance(42);
    audit.tenant = 'acme';
    audit.userId = 'u-1';
    audit.token = token;
    audit.succeeded();
    expect(events).toEqual([
      { type: 'handoff', outcome: 'ok', at: start, latencyMs: 42, ip: '203.0.113.7', tenant: 'acme', userId: 'u-1', tokenHash: hashes.tokenHash(token) },
    ]);
  });

  it('reports the token only as its keyed hash', () => {
    const { deps, events } = setup();
    const audit = new AttemptAudit(deps, 'logon-with-token', request);
    audit.token = token;
    audit.failed(new LoginError('token_invalid', { reason: 'partner rejected the token' }));
    expect(events[0]?.tokenHash).toMatch(/^[0-9a-f]{12}$/);
    expect(JSON.stringify(events)).not.toContain(token);
  });

  it('leaves out what the flow did not learn', () => {
    const { deps, events } = setup();
    new AttemptAudit(deps, 'bearer', request).succeeded();
    expect(Object.keys(events[0] ?? {}).sort()).toEqual(['at', 'ip', 'latencyMs', 'outcome', 'type']);
  });

  it('adds a token-free remark to a success', () => {
    const { deps, events } = setup();
    new AttemptAudit(deps, 'logon-with-token', request).succeeded('second factor pending');
    expect(events[0]).toMatchObject({ outcome: 'ok', reason: 'second factor pending' });
  });

  it('reports a LoginError with its code and reason, and returns that error', () => {
    const { deps, events } = setup();
    const error = new LoginError('token_invalid', { reason: 'partner answered 401' });
    expect(new AttemptAudit(deps, 'handoff', request).failed(error)).toBe(error);
    expect(events[0]).toMatchObject({ type: 'handoff', outcome: 'token_invalid', reason: 'partner answered 401' });
  });

  it('turns any other fault into store_unavailable, without the fault’s message', () => {
    const { deps, events } = setup();
    const fault = Object.assign(new Error(`connect ECONNREFUSED while storing ${token}`), { code: 'ECONNREFUSED' });
    const failure = new AttemptAudit(deps, 'session-token', request).failed(fault);
    expect(failure).toBeInstanceOf(LoginError);
    expect(failure.code).toBe('store_unavailable');
    expect(failure.cause).toBe(fault);
    expect(events[0]).toMatchObject({ outcome: 'store_unavailable', reason: 'Error ECONNREFUSED' });
    expect(JSON.stringify(events)).not.toContain(token);
  });

  it('counts from startedAt when the record is made after the attempt began', () => {
    const { deps, events } = setup();
    new AttemptAudit(deps, 'bearer', request, start - 250).failed(new LoginError('token_invalid'));
    expect(events[0]).toMatchObject({ at: start - 250, latencyMs: 250 });
  });

  it('hashes nothing and reports nothing without a sink, yet still returns the error', () => {
    const { deps, hashed } = setup({ sink: false });
    const audit = new AttemptAudit(deps, 'handoff', request);
    audit.token = token;
    audit.succeeded();
    expect(audit.failed(new Error('boom')).code).toBe('store_unavailable');
    expect(hashed()).toBe(0);
  });

  it('returns the error even when the sink throws', () => {
    const { deps, events } = setup({ throwingSink: true });
    const audit = new AttemptAudit(deps, 'logout', request);
    expect(() => audit.succeeded()).not.toThrow();
    expect(audit.failed(new LoginError('token_invalid')).code).toBe('token_invalid');
    expect(events).toHaveLength(2);
  });
});
