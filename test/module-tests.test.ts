import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

/**
 * Not core, or no logic of their own: the Express and Passport adapters and the wiring are
 * exercised end to end (`handoff-routes`, `token-routes`, `bearer`, `logon-with-token`,
 * `auth-token-strategy`, `example-app` and the packed-package suites); the entry points hold
 * only export lines; the CLI runs in `package.test.ts` and CI.
 */
const notCore = ['src/adapters/', 'src/cli/', 'src/index.ts', 'src/redis.ts', 'src/postgres.ts', 'src/testing.ts', 'src/create-login-with-token.ts'];

function sourceFiles(dir = join(root, 'src')): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : name.endsWith('.ts') ? [relative(root, path).split('\\').join('/')] : [];
  });
}

/** True when a module exports something that exists at run time (not only types). */
function hasRuntimeExports(file: string): boolean {
  const source = ts.createSourceFile(file, readFileSync(join(root, file), 'utf8'), ts.ScriptTarget.Latest, true);
  return source.statements.some(
    (statement) =>
      (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isVariableStatement(statement)) &&
      statement.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword) === true,
  );
}

describe('tests mirror the core', () => {
  const core = sourceFiles().filter((file) => !notCore.some((prefix) => file.startsWith(prefix)) && hasRuntimeExports(file));

  it('finds the core modules', () => {
    expect(core.length).toBeGreaterThan(60);
    expect(core).toContain('src/store/single-use.ts');
    expect(core).not.toContain('src/store/store.ts'); // types only
  });

  it('gives every core module with logic a test file of its name', () => {
    const missing = core.filter((file) => !existsSync(join(root, 'test', `${basename(file, '.ts')}.test.ts`)));
    expect(missing).toEqual([]);
  });
});
