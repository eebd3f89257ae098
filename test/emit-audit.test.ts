import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../src/audit/audit-event.js';
import { emitAudit } from '../src/audit/emit-audit.js';

const event: AuditEvent = { type: 'handoff', outcome: 'ok', at: Date.parse('2026-11-28T12:00:00Z'), latencyMs: 12, ip: '203.0.113.7' };

describe('emitAudit', () => {
  it('hands the event to the sink as it is', () => {
    const received: AuditEvent[] = [];
    emitAudit((given) => received.push(given), event);
    expect(received).toHaveLength(1);
    expect(received[0]).toBe(event);
  });

  it('does nothing without a sink', () => {
    expect(() => emitAudit(undefined, event)).not.toThrow();
  });

  it.each([
    ['an Error', new Error('log shipper down')],
    ['a string', 'log shipper down'],
    ['undefined', undefined],
  ])('swallows %s thrown by the sink, so the sign-in goes on', (_name, thrown) => {
    let called = 0;
    expect(() =>
      emitAudit(() => {
        called++;
        throw thrown;
      }, event),
    ).not.toThrow();
    expect(called).toBe(1);
  });

  it('swallows the rejection of an async sink, which would otherwise end the process as an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      let called = 0;
      emitAudit(async () => {
        called++;
        throw new Error('log shipper down');
      }, event);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(called).toBe(1);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
