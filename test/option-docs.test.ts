import { describe, expect, it } from 'vitest';
import { documentedGroups, documentedOptions, leadingLiteral, schemaDefault } from './support/documented-options.js';

// The TSDoc apps read in their editor states each option's default; the schema applies it. They
// must agree, and an option without a default in the schema may only describe its fallback.
describe('option TSDoc', () => {
  for (const group of documentedGroups) {
    const label = `${group.prefix || '(top level)'}${group.variant === undefined ? '' : ` (${group.variant})`}`;
    describe(label, () => {
      const options = documentedOptions(group).filter((option) => !group.skip?.includes(option.name));

      it('documents every option', () => {
        expect(options.length).toBeGreaterThan(0);
        for (const option of options) expect(option.description, option.name).not.toBe('');
      });

      it.each(options.map((option) => [option.name, option] as const))('states the default of %s as the schema applies it', (name, option) => {
        const actual = schemaDefault(group, name);
        if (actual.required) {
          expect(option.documentedDefault, `${name} is required: no @default`).toBeUndefined();
          expect(option.description, name).toMatch(/Required\./);
          return;
        }
        const literal = option.documentedDefault === undefined ? undefined : leadingLiteral(option.documentedDefault);
        if (literal !== undefined) expect(actual.value, `${name}: @default ${option.documentedDefault}`).toEqual(literal.value);
        // Prose (`@default any host`) or none: the schema may only have no default, or compute one (a clock).
        else expect(actual.value === undefined || typeof actual.value === 'function', `${name}: the schema's default ${JSON.stringify(actual.value)} is not documented`).toBe(true);
      });
    });
  }

  it('reads literals the way the comments write them', () => {
    expect(leadingLiteral('600000 (10 min)')).toEqual({ value: 600000 });
    expect(leadingLiteral('1_000_000')).toEqual({ value: 1000000 });
    expect(leadingLiteral("'/'")).toEqual({ value: '/' });
    expect(leadingLiteral("['RS256', 'PS256']")).toEqual({ value: ['RS256', 'PS256'] });
    expect(leadingLiteral("{ 'cache-control': 'no-cache' }")).toEqual({ value: { 'cache-control': 'no-cache' } });
    expect(leadingLiteral('[] — none')).toEqual({ value: [] });
    expect(leadingLiteral('any host')).toBeUndefined();
    expect(leadingLiteral('http.timeoutMs (5000)')).toBeUndefined();
    expect(leadingLiteral('Date.now')).toBeUndefined();
  });
});
