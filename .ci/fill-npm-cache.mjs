// Fills the npm cache with everything the packed-package test installs into its scratch portals
// (test/consumer/consumers.json plus the package's own dependencies). That test installs with
// --prefer-offline, so after this install step the suite itself talks to nothing but loopback.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const read = (path) => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8'));
const { dependencies } = read('../package.json');
for (const [name, consumer] of Object.entries(read('../test/consumer/consumers.json'))) {
  const dir = mkdtempSync(join(tmpdir(), `lwt-cache-${name}-`));
  try {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `cache-${name}`, private: true, dependencies: { ...dependencies, ...consumer } }));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock'], { cwd: dir, stdio: 'inherit' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
