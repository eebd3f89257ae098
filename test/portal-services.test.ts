import { describe, expect, it } from 'vitest';
import { createFunctionExecutor } from '../src/executor/function-executor.js';
import { parseOptions } from '../src/options/parse-options.js';
import { createPortalServices } from '../src/options/portal-services.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { recordTelemetry, withoutSdk } from './support/telemetry.js';

const resolveUser = () => null;
/** No SDK: the parts as they are, unwrapped (express-5 registers one globally). */
const untraced = withoutSdk();

describe('createPortalServices', () => {
  it('builds one of each shared part from the parsed options, on their clock', async () => {
    let clock = 1_000_000;
    const services = createPortalServices(parseOptions({ resolveUser, now: () => clock, tenants: { acme: {}, globex: {} }, resolveTenant: () => 'acme', telemetry: untraced }));
    expect(services.tenants.names).toEqual(['acme', 'globex']);
    expect(services.now()).toBe(1_000_000);
    clock += 5;
    expect(services.now()).toBe(1_000_005);
    expect(services.store).toBeInstanceOf(MemoryStore);
    expect(services.tokenHash('t')).toMatch(/^[0-9a-f]{12}$/);
    await services.close();
  });

  it('uses the app’s store and executor, and leaves them open on close', async () => {
    const store = new MemoryStore();
    const executor = { ...createFunctionExecutor(), run: async () => 'the app’s answer', close: async () => void (closed += 1) };
    let closed = 0;
    const services = createPortalServices(parseOptions({ resolveUser, store, executor, telemetry: untraced }));
    expect(services.store).toBe(store);
    // Run with a signal of its own per call (appExecutor).
    expect(await services.executor.run({ name: 'LoginWithToken', tenant: 'default', definition: { kind: 'function' } } as never, {}, new AbortController().signal)).toBe('the app’s answer');
    await services.close();
    expect(closed).toBe(0);
    // Still usable: its timer and maps are the app's to end.
    await store.sessions.create('k', { kind: 'session-token', tenant: 'default', userId: 'u', identity: { tokenType: 'credentials' }, createdAt: 0, expiresAt: Date.now() + 60_000 });
    expect(await store.sessions.exists('k')).toBe(true);
    await store.close();
  });

  it("traces the app's store when an SDK is registered, every call still reaching it", async () => {
    const store = new MemoryStore();
    const services = createPortalServices(parseOptions({ resolveUser, store, telemetry: recordTelemetry().options }));
    expect(services.store).not.toBe(store);
    await services.store.sessions.create('k', { kind: 'session-token', tenant: 'default', userId: 'u', identity: { tokenType: 'credentials' }, createdAt: 0, expiresAt: Date.now() + 60_000 });
    expect(await store.sessions.exists('k')).toBe(true);
    await services.close();
    await store.close();
  });

  it('shares its hash key between instances built with the same hashKey', async () => {
    const options = { resolveUser, hashKey: 'k'.repeat(32) };
    const [one, two] = [createPortalServices(parseOptions(options)), createPortalServices(parseOptions(options))];
    expect(one.tokenHash('t')).toBe(two.tokenHash('t'));
    expect(one.nameKey('acme', 'alice')).toBe(two.nameKey('acme', 'alice'));
    await Promise.all([one.close(), two.close()]);
  });
});
