import { describe, expect, it } from 'vitest';
import { handoffOptionsSchema } from '../src/handoff/handoff-options.js';
import { parseOptions } from '../src/options/parse-options.js';
import { expectOptionsError } from './support/options-error.js';

const withHandoff = (handoff: unknown) => () => parseOptions({ resolveUser: () => null, handoff } as never);
const day = 24 * 3600_000;

describe('handoffOptionsSchema', () => {
  it('fills in 10 minutes of memory, a 60 s reservation and "/"', () => {
    expect(handoffOptionsSchema.parse({})).toEqual({ maxTokenAgeMs: 600_000, reservationMs: 60_000, defaultReturnTo: '/' });
    expect(parseOptions({ resolveUser: () => null }).handoff).toEqual({ maxTokenAgeMs: 600_000, reservationMs: 60_000, defaultReturnTo: '/' });
  });

  it('accepts the largest values: 7 days of memory and a one-hour reservation', () => {
    expect(handoffOptionsSchema.parse({ maxTokenAgeMs: 7 * day, reservationMs: 3600_000 })).toMatchObject({ maxTokenAgeMs: 7 * day, reservationMs: 3600_000 });
  });

  it.each([
    ['maxTokenAgeMs', 7 * day + 1],
    ['maxTokenAgeMs', 0],
    ['maxTokenAgeMs', 0.5],
    ['reservationMs', 3600_001],
    ['reservationMs', -1],
    ['reservationMs', '60000'],
  ])('refuses %s = %s', (option, value) => {
    expectOptionsError(withHandoff({ [option]: value }), { code: 'LWT_INVALID_OPTION', path: `handoff.${option}` });
  });

  it('accepts a same-origin path with query and fragment as defaultReturnTo', () => {
    expect(handoffOptionsSchema.parse({ defaultReturnTo: '/invoices/42?tab=1#top' }).defaultReturnTo).toBe('/invoices/42?tab=1#top');
  });

  // The fallback target is used after every refused returnTo: it must not itself open a redirect.
  it.each([
    'https://evil.example/',
    '//evil.example/',
    '/\\evil.example',
    '/%2F%2Fevil.example',
    'javascript:alert(1)',
    '/\tevil',
    'home',
  ])('refuses %j as defaultReturnTo', (defaultReturnTo) => {
    expectOptionsError(withHandoff({ defaultReturnTo }), { code: 'LWT_INVALID_OPTION', path: 'handoff.defaultReturnTo' });
  });

  it('refuses a defaultReturnTo that would be rewritten on the way (dot segments, an authToken parameter)', () => {
    expectOptionsError(withHandoff({ defaultReturnTo: '/a/../b' }), { code: 'LWT_INVALID_OPTION', path: 'handoff.defaultReturnTo' });
    expectOptionsError(withHandoff({ defaultReturnTo: '/home?authToken=x' }), { code: 'LWT_INVALID_OPTION', path: 'handoff.defaultReturnTo' });
  });

  it('names a misspelt option as unknown rather than ignoring it', () => {
    expectOptionsError(withHandoff({ maxTokenAge: 1000 }), { code: 'LWT_UNKNOWN_OPTION', path: 'handoff.maxTokenAge' });
  });
});

describe('handoff.defaultReturnTo', () => {
  it('refuses an empty path, which would send the browser back to the spent handoff URL', () => {
    expectOptionsError(() => parseOptions({ resolveUser: () => null, handoff: { defaultReturnTo: '' } }), {
      code: 'LWT_INVALID_OPTION',
      path: 'handoff.defaultReturnTo',
    });
  });
});
