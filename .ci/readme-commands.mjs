// Runs the README's shell examples (every ```sh block) against `npm start`, as a reader would:
// once with everything in memory, and once on Redis with a second instance beside it
// (`REDIS_URL=… npm start`, `REDIS_URL=… PORTAL_PORT=3001 PARTNER_PORT=4001 npm start`). A block
// fails when one of its commands does (bash -euo pipefail); the run is bounded and cleans up.
//
//   node .ci/readme-commands.mjs [--redis-url redis://127.0.0.1:6379]
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { 'redis-url': { type: 'string', default: 'redis://127.0.0.1:6379' } } });
const root = new URL('..', import.meta.url).pathname;
const blocks = shellBlocks(readFileSync(new URL('../README.md', import.meta.url), 'utf8'));
const startTimeoutMs = 60_000;
const blockTimeoutMs = 30_000;

let failures = 0;
for (const setup of [
  { name: 'npm start (in memory)', instances: [{}] },
  { name: 'npm start on Redis, two instances', instances: [{ REDIS_URL: values['redis-url'] }, { REDIS_URL: values['redis-url'], PORTAL_PORT: '3001', PARTNER_PORT: '4001' }] },
]) {
  const started = [];
  try {
    for (const env of setup.instances) started.push(await start(env));
    blocks.forEach((block, index) => {
      const result = spawnSync('bash', ['-euo', 'pipefail', '-c', block], { cwd: root, encoding: 'utf8', timeout: blockTimeoutMs });
      const ok = result.status === 0;
      if (!ok) failures++;
      console.log(`${ok ? 'ok  ' : 'FAIL'} ${setup.name}: README block ${index + 1} (${block.split('\n').find((line) => line && !line.startsWith('#'))?.slice(0, 60)}…)`);
      if (!ok) console.log(`${result.stdout}\n${result.stderr}`);
    });
  } catch (error) {
    failures++;
    console.log(`FAIL ${setup.name}: ${error.message}`);
  } finally {
    for (const child of started) process.kill(-child.pid, 'SIGTERM');
  }
}
console.log(`${blocks.length} README blocks, ${failures} failed`);
process.exit(failures > 0 ? 1 : 0);

/** The README's ```sh blocks, without their indentation. */
function shellBlocks(markdown) {
  const found = [];
  for (const match of markdown.matchAll(/^( *)```sh\n([\s\S]*?)^\1```/gm)) {
    const indent = match[1].length;
    found.push(match[2].split('\n').map((line) => line.slice(indent)).join('\n'));
  }
  if (found.length === 0) throw new Error('no ```sh blocks in the README');
  return found;
}

/** `npm start` with `env`, resolved once it prints the partner's address. */
function start(env) {
  const child = spawn('npm', ['start'], { cwd: root, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`npm start did not come up within ${startTimeoutMs / 1000} s:\n${output}`)), startTimeoutMs);
    const fail = (error) => {
      clearTimeout(timer);
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {}
      reject(error);
    };
    const read = (chunk) => {
      output += chunk;
      if (/^Store: /m.test(output)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => fail(new Error(`npm start exited (${code}):\n${output}`)));
  });
}
