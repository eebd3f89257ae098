import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isConnectionId } from '../src/logon/connection-id.js';
import { recordSecret } from './support/secrets.js';

const id = recordSecret(randomUUID());

describe('isConnectionId', () => {
  it('recognises a UUID v4 in lower, upper or mixed case', () => {
    expect(isConnectionId(id)).toBe(true);
    expect(isConnectionId(id.toUpperCase())).toBe(true);
    expect(isConnectionId('6BC655A4-c079-4535-A733-f259e3232a3a')).toBe(true);
  });

  it.each([
    ['another UUID version', '6bc655a4-c079-1535-a733-f259e3232a3a'],
    ['the nil UUID', '00000000-0000-0000-0000-000000000000'],
    ['a variant outside 8–b', '6bc655a4-c079-4535-c733-f259e3232a3a'],
    ['no hyphens', '6bc655a4c0794535a733f259e3232a3a'],
    ['braces', '{6bc655a4-c079-4535-a733-f259e3232a3a}'],
    ['a digit too many', '6bc655a4-c079-4535-a733-f259e3232a3a0'],
    ['a non-hex letter', '6bc655a4-c079-4535-a733-f259e3232a3g'],
    ['fullwidth digits', '６bc655a4-c079-4535-a733-f259e3232a3a'],
    ['an empty string', ''],
    ['a session token', 'lwts_6bc655a4-c079-4535-a733-f259e3232a3a'],
    ['a JWT', 'eyJhbGciOiJFUzI1NiJ9.eyJzaWQiOiJ4In0.c2ln'],
  ])('refuses %s', (_, candidate) => {
    expect(isConnectionId(candidate)).toBe(false);
  });

  it('refuses a UUID with anything around it, a trailing line break included', () => {
    for (const padded of [`${id}\n`, `\n${id}`, ` ${id}`, `${id} `, `${id}\u0000`, `${id}.${id}`]) expect(isConnectionId(padded)).toBe(false);
  });
});
