import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

/** The names an entry point exports (`export { a, type B } from …` lines only). */
function exportedNames(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(join(root, file), 'utf8'), ts.ScriptTarget.Latest, true);
  return source.statements.flatMap((statement) => {
    if (!ts.isExportDeclaration(statement)) throw new Error(`${file} may hold only export lines`);
    return statement.exportClause !== undefined && ts.isNamedExports(statement.exportClause) ? statement.exportClause.elements.map((element) => element.name.text) : [];
  });
}

/** The names the README's API section documents for an entry point (its table after the `import` line). */
function documentedNames(entry: string): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## API\n'), readme.indexOf('\n## Scaling out'));
  const start = section.indexOf(`from '${entry}'\`:`);
  const table = section.slice(section.indexOf('\n|', start), section.indexOf('\n\n', section.indexOf('\n|', start)));
  return table
    .split('\n')
    .slice(3)
    .flatMap((row) => [...row.split('|')[1]!.matchAll(/`([A-Za-z]+)`/g)].map((match) => match[1]!));
}

describe('the public API', () => {
  it.each([
    ['src/index.ts', 'login-with-token'],
    ['src/redis.ts', 'login-with-token/redis'],
    ['src/postgres.ts', 'login-with-token/postgres'],
    ['src/testing.ts', 'login-with-token/testing'],
  ])('%s exports exactly what the README documents', (file, entry) => {
    const exported = exportedNames(file);
    expect(exported.length).toBeGreaterThan(0);
    expect(new Set(exported).size).toBe(exported.length);
    expect([...documentedNames(entry)].sort()).toEqual([...exported].sort());
  });

  it('puts no schema of a dependency into the API', async () => {
    const api = await import('../src/index.js');
    for (const [name, value] of Object.entries(api)) {
      expect(typeof (value as { safeParse?: unknown })?.safeParse, name).not.toBe('function');
    }
  });
});
