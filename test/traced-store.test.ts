import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../src/store/memory-store.js';
import { traceStore } from '../src/store/traced-store.js';
import { Telemetry } from '../src/telemetry/telemetry.js';
import { recordTelemetry, withoutSdk } from './support/telemetry.js';

const stores: MemoryStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});
const memoryStore = () => {
  const store = new MemoryStore();
  stores.push(store);
  return store;
};

describe('traceStore', () => {
  it('returns the store itself when nothing is traced', () => {
    const store = memoryStore();
    const untraced = new Telemetry(withoutSdk());
    expect(traceStore(store, untraced)).toBe(store);
  });

  it('runs every operation of every role through a span below the flow, keys and values left out', async () => {
    const recorded = recordTelemetry();
    const telemetry = new Telemetry(recorded.options);
    const store = traceStore(memoryStore(), telemetry);
    const flow = telemetry.startFlow('handoff');
    await flow.within(async () => {
      const reserved = await store.ledger.reserve('lwt-secret-key', 1000);
      expect(reserved.status).toBe('reserved');
      await store.ledger.consume('lwt-secret-key', (reserved as { id: string }).id, 1000);
      expect(store.rateLimits.add('ip', 1, 1000, 5)).toMatchObject({ count: 1 });
      expect(await store.sessions.exists('nope')).toBe(false);
      expect(await store.apiTokens.find('nope')).toBeUndefined();
    });
    flow.end('ok', {});
    const names = recorded.spans().map((span) => span.name);
    expect(names).toEqual(['ledger.reserve', 'ledger.consume', 'rateLimits.add', 'sessions.exists', 'apiTokens.find', 'handoff']);
    expect(JSON.stringify(recorded.spans().map((span) => span.attributes))).not.toContain('lwt-secret-key');
  });

  it('calls the method the role has at the time, so one replaced after start-up is the one that runs', async () => {
    const store = memoryStore();
    const traced = traceStore(store, new Telemetry(recordTelemetry().options));
    const seen: string[] = [];
    const exists = store.sessions.exists.bind(store.sessions);
    store.sessions.exists = async (key) => {
      seen.push(key);
      return exists(key);
    };
    expect(await traced.sessions.exists('k-1')).toBe(false);
    expect(seen).toEqual(['k-1']);
  });
});
