import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rateLimitKeys, redisKeys, storeKeys } from '../src/store/store-keys.js';

/** The backticked keys in the README's Redis key map (the table under "Scaling out"). */
function readmeKeyMap(): string[] {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const table = readme.slice(readme.indexOf('| role | keys (after the prefix) |'));
  const rows = table.slice(0, table.indexOf('\n\n')).split('\n').slice(2);
  return rows.flatMap((row) => [...row.split('|')[2]!.matchAll(/`([^`]+)`/g)].map((match) => match[1]!));
}

// Arguments named as the README names them; a key function without one here fails the test.
const redisArguments: Record<keyof ReturnType<typeof redisKeys>, string[]> = {
  ledger: ['<hash>'],
  session: ['<hash>'],
  userSessions: ['<tenant>', '<userId>'],
  apiToken: ['<hash>'],
  apiTokenId: ['<tenant>', '<id>'],
  apiTokens: ['<tenant>'],
  rate: ['<counter>'],
};
const counterArguments: Record<keyof typeof rateLimitKeys, string[]> = {
  handoffIp: ['<network>'],
  bearerIp: ['<network>'],
  logonIp: ['<network>'],
  tokenIp: ['<network>'],
  tokenNameIp: ['<name>', '<network>'],
  tokenName: ['<name>'],
  tokenCode: ['<tenant>'],
};

describe('store keys', () => {
  it('are the ones the README key map shows, and no others', () => {
    const keys = redisKeys('');
    expect(Object.keys(keys).sort()).toEqual(Object.keys(redisArguments).sort());
    expect(Object.keys(rateLimitKeys).sort()).toEqual(Object.keys(counterArguments).sort());
    const call = (fn: unknown, args: string[]) => (fn as (...values: string[]) => string)(...args);
    const made = [
      ...Object.entries(redisArguments).filter(([role]) => role !== 'rate').map(([role, args]) => call(keys[role as keyof typeof keys], args)),
      ...Object.entries(counterArguments).map(([counter, args]) => keys.rate(call(rateLimitKeys[counter as keyof typeof rateLimitKeys], args))),
    ];
    expect(made.sort()).toEqual(readmeKeyMap().sort());
  });

  it('put the prefix in front of every Redis key', () => {
    const keys = redisKeys('{portal}:');
    expect(keys.ledger('h')).toBe('{portal}:ledger:h');
    expect(keys.userSessions('acme', 'u-1')).toBe('{portal}:user-sessions:acme:u-1');
    expect(keys.rate(rateLimitKeys.tokenNameIp('n', '10.0.0.1'))).toBe('{portal}:rate:token-name-ip:n:10.0.0.1');
  });

  it('hash secrets by role, so one value never stands for another kind', () => {
    const secret = 'lwts_same-value';
    const hashes = [storeKeys.sessionToken(secret), storeKeys.apiToken(secret), storeKeys.connection(secret), storeKeys.authToken(secret), storeKeys.signedSender(secret)];
    for (const hash of hashes) expect(hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Set(hashes).size).toBe(hashes.length);
    expect(hashes.join()).not.toContain('same-value');
  });

  it('keep one ledger key per handoff token, and read connection ids in any case alike', () => {
    // One handoff token is spent once in every tenant, as a signed sender token is.
    expect(storeKeys.authToken('tok')).toBe(storeKeys.authToken('tok'));
    expect(storeKeys.authToken('tok')).not.toBe(storeKeys.authToken('tok2'));
    const id = '6bc655a4-c079-4535-a733-f259e3232a3a';
    expect(storeKeys.connection(id.toUpperCase())).toBe(storeKeys.connection(id));
  });
});
