import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { documentedGroups, documentedOptions, leadingLiteral, root, schemaDefault } from './support/documented-options.js';

/** The README's option reference: each `#### \`path\` (variant)` heading and the paragraph under it. */
function readmeOptions(): Map<string, string> {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Options\n'), readme.indexOf('\n## Errors\n'));
  const entries = [...section.matchAll(/^#### `([^`]+)`( \([^)]+\))?\n([\s\S]*?)(?=\n#{2,4} |$)/gm)];
  return new Map(entries.map((match) => [`${match[1]}${match[2] ?? ''}`, match[3]!.replace(/\s+/g, ' ').trim()]));
}

const headingOf = (prefix: string, name: string, variant?: string) => `${prefix === '' ? '' : `${prefix}.`}${name}${variant === undefined ? '' : ` (${variant})`}`;

describe('the README option reference', () => {
  const documented = readmeOptions();

  it('has a heading for every option, and none for options that do not exist', () => {
    const expected = documentedGroups.flatMap((group) =>
      documentedOptions(group)
        .filter((option) => !group.skip?.includes(option.name) || !documentedGroups.some((other) => other.prefix === `${group.prefix}${group.prefix ? '.' : ''}${option.name}`))
        .filter((option) => option.name !== 'kind')
        .map((option) => headingOf(group.prefix, option.name, group.variant)),
    );
    // Options documented as groups of their own (`http`, `logon.jwt`, …) have headings for their members instead.
    const groupsAsOptions = new Set(documentedGroups.map((group) => group.prefix));
    const withoutGroups = expected.filter((heading) => !groupsAsOptions.has(heading));
    expect([...documented.keys()].sort()).toEqual([...new Set(withoutGroups)].sort());
  });

  for (const group of documentedGroups) {
    for (const option of documentedOptions(group)) {
      if (group.skip?.includes(option.name)) continue;
      const heading = headingOf(group.prefix, option.name, group.variant);
      it(`states the default of ${heading} as the schema applies it`, () => {
        const text = documented.get(heading);
        expect(text, `no heading for ${heading}`).toBeDefined();
        const actual = schemaDefault(group, option.name);
        if (actual.required) {
          expect(text).toMatch(/^Required\./);
          return;
        }
        const stated = /^Default: (?:`([^`]+)`|([^.]+))/.exec(text!);
        expect(stated, `${heading} starts with "Default: …"`).not.toBeNull();
        const literal = stated![1] === undefined ? undefined : leadingLiteral(stated![1]);
        if (literal !== undefined) expect(actual.value, `${heading}: Default ${stated![1]}`).toEqual(literal.value);
        else expect(actual.value === undefined || typeof actual.value === 'function', `${heading}: the schema's default ${JSON.stringify(actual.value)} is not stated`).toBe(true);
      });
    }
  }
});
