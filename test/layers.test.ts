import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

/** The README's layout table, low to high: each row's `src/…` folders and files. */
function layers(): string[][] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Layout'));
  const table = section.slice(section.indexOf('\n|'), section.indexOf('\n\n', section.indexOf('\n|')));
  return table
    .split('\n')
    .slice(3)
    .map((row) => [...row.split('|')[1]!.matchAll(/`(src\/[^`]+)`/g)].map((match) => match[1]!));
}

function sourceFiles(dir = join(root, 'src')): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : name.endsWith('.ts') ? [relative(root, path).split('\\').join('/')] : [];
  });
}

/** The project files `file` imports (relative specifiers, `.js` mapped to `.ts`), type-only ones included. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+'(\.[^']+)'/gms)].map((match) =>
    posix.normalize(posix.join(posix.dirname(file), match[1]!.replace(/\.js$/, '.ts'))),
  );
}

describe('the layering the README states', () => {
  const table = layers();
  const layerOf = (file: string): number => {
    let best = -1;
    let bestLength = -1;
    table.forEach((entries, index) => {
      for (const entry of entries) {
        const matches = entry.endsWith('.ts') ? file === entry : file.startsWith(`${entry}/`);
        if (matches && entry.length > bestLength) [best, bestLength] = [index, entry.length];
      }
    });
    return best;
  };

  it('places every source file in one layer', () => {
    expect(table.length).toBeGreaterThan(5);
    expect(sourceFiles().filter((file) => layerOf(file) === -1)).toEqual([]);
  });

  it('has no import from a lower layer to a higher one', () => {
    const upward = sourceFiles().flatMap((file) =>
      importsOf(file)
        .filter((target) => layerOf(target) > layerOf(file))
        .map((target) => `${file} (${table[layerOf(file)]!.join(', ')}) imports ${target} (${table[layerOf(target)]!.join(', ')})`),
    );
    expect(upward).toEqual([]);
  });

  it('has no import cycles', () => {
    const graph = new Map(sourceFiles().map((file) => [file, importsOf(file)]));
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, trail: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...trail.slice(trail.indexOf(file)), file].join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const target of graph.get(file) ?? []) visit(target, [...trail, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('finds the imports it checks', () => {
    expect(importsOf('src/index.ts').length).toBeGreaterThan(10);
    expect(dirname(importsOf('src/store/redis/redis-store.ts')[0]!)).toMatch(/^src\//);
  });
});
