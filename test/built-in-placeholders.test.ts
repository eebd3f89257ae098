import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtInPlaceholders } from '../src/config/built-in-placeholders.js';
import { commandProblems } from '../src/config/command-checks.js';
import { commandDefinitionSchema } from '../src/config/command-schema.js';

/** The placeholders the README's "Placeholders" paragraph names, before the app's own. */
function readmePlaceholders(): string[] {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('**Placeholders**');
  const paragraph = readme.slice(start, readme.indexOf('and any you', start));
  return [...paragraph.matchAll(/`\{([^}]+)\}`/g)].map((match) => match[1]!);
}

describe('builtInPlaceholders', () => {
  it('are the placeholders the README lists, in its order', () => {
    expect(readmePlaceholders()).toEqual([...builtInPlaceholders]);
  });

  it('names each placeholder once', () => {
    expect(new Set(builtInPlaceholders).size).toBe(builtInPlaceholders.length);
  });

  it('are all recognised in a template and known to the command checks', () => {
    const url = `https://partner.example/validate?${builtInPlaceholders.map((name) => `${name}={${name}}`).join('&')}`;
    const command = commandDefinitionSchema.parse({ url });
    expect(command.placeholders).toEqual([...builtInPlaceholders]);
    expect(commandProblems('LoginWithToken', command, new Set(builtInPlaceholders), undefined)).toEqual([]);
  });
});
