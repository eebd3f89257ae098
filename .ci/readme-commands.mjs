// Runs the README's shell examples (every ```sh block) against `npm start`, as a reader would:
// once with everything in memory, then with a second instance beside the first on Redis
// (`REDIS_URL=… npm start`, `REDIS_URL=… PORTAL_PORT=3001 PARTNER_PORT=4001 npm start`), on
// PostgreSQL (`DATABASE_URL=…`) and on both (`DATABASE_URL=… REDIS_URL=…`). A block fails when
// one of its commands does (bash -euo pipefail) or when the portal answers one of its requests
// with 5xx or not at all; with two instances, a session token from one must work on the other.
// Every instance runs with OTEL=1 (metrics on 9464, the second on 9465), as the Observability
// section's example needs.
// The run is bounded, stops what it started, deletes the demo's Redis keys and drops the
// PostgreSQL schema it gave the demo (DATABASE_SCHEMA).
//
//   node .ci/readme-commands.mjs [--redis-url redis://127.0.0.1:6379] [--database-url postgres://postgres@127.0.0.1:5432/test]
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';

const { values } = parseArgs({
  options: {
    'redis-url': { type: 'string', default: 'redis://127.0.0.1:6379' },
    'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const redisUrl = values['redis-url'];
const database = { DATABASE_URL: values['database-url'], DATABASE_SCHEMA: `lwt_readme_${randomUUID().replaceAll('-', '')}` };
const secondInstance = { PORTAL_PORT: '3001', PARTNER_PORT: '4001', METRICS_PORT: '9465' };
const root = new URL('..', import.meta.url).pathname;
const blocks = shellBlocks(readFileSync(new URL('../README.md', import.meta.url), 'utf8'));
const startTimeoutMs = 60_000;
const blockTimeoutMs = 30_000;
const scratch = mkdtempSync(join(tmpdir(), 'lwt-readme-'));
const statusFile = join(scratch, 'statuses');
// Every curl of a block goes through this: the same output, and the status of each answer noted.
const curlRecordingStatus = `curl() {
  local body="${scratch}/body" status
  status=$(command curl -o "$body" -w '%{http_code}' "$@") || { echo 000 >> "${statusFile}"; return 7; }
  echo "$status" >> "${statusFile}"
  cat "$body"
}
`;

let failures = 0;
const report = (ok, what, detail = '') => {
  if (!ok) failures++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${ok || !detail ? '' : `\n${detail}`}`);
};
for (const setup of [
  { name: 'npm start (in memory)', instances: [{}] },
  { name: 'npm start on Redis, two instances', instances: [{ REDIS_URL: redisUrl }, { REDIS_URL: redisUrl, ...secondInstance }] },
  { name: 'npm start on PostgreSQL, two instances', instances: [database, { ...database, ...secondInstance }] },
  {
    name: 'npm start on PostgreSQL and Redis, two instances',
    instances: [{ ...database, REDIS_URL: redisUrl }, { ...database, REDIS_URL: redisUrl, ...secondInstance }],
  },
]) {
  const started = [];
  try {
    for (const env of setup.instances) started.push(await start(env));
    blocks.forEach((block, index) => {
      rmSync(statusFile, { force: true });
      const result = spawnSync('bash', ['-euo', 'pipefail', '-c', curlRecordingStatus + block], { cwd: root, encoding: 'utf8', timeout: blockTimeoutMs });
      const statuses = readFileSync(statusFile, 'utf8').trim().split('\n');
      const bad = statuses.filter((status) => status === '000' || Number(status) >= 500);
      const title = block.split('\n').find((line) => line && !line.startsWith('#'))?.slice(0, 60);
      report(result.status === 0 && bad.length === 0, `${setup.name}: README block ${index + 1}, ${statuses.length} requests (${title}…)`, `answers ${statuses.join(' ')}\n${result.stdout}\n${result.stderr}`);
    });
    if (setup.instances.length > 1) report(await sharedBetweenInstances(), `${setup.name}: a session token from :3000 works on :3001`);
  } catch (error) {
    report(false, `${setup.name}: ${error.message}`);
  } finally {
    for (const child of started) process.kill(-child.pid, 'SIGTERM');
  }
}
await deleteDemoKeys();
await dropDemoSchema();
rmSync(scratch, { recursive: true, force: true });
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

/** `npm start` with `env`, resolved once it has printed where it keeps its state. */
function start(env) {
  // Only `env` picks the store: an inherited REDIS_URL or DATABASE_URL would turn the in-memory run into another.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !['REDIS_URL', 'DATABASE_URL', 'DATABASE_SCHEMA'].includes(name)));
  // OTEL=1 always: the Observability section scrapes the metrics port.
  const child = spawn('npm', ['start'], { cwd: root, env: { ...inherited, OTEL: '1', ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
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

async function sharedBetweenInstances() {
  const issued = await fetch('http://localhost:3000/authentication/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'alice', password: 'alice-password', organisation: 'DEMO' }),
  });
  const { data } = await issued.json();
  const me = await fetch('http://localhost:3001/api/me', { headers: { authorization: `Bearer ${data.token}` } });
  return me.status === 200 && (await me.json()).email === 'alice@example.com';
}

/** The keys `npm start` wrote under its prefix (example-app/redis.js). */
async function deleteDemoKeys() {
  const client = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', 'example-portal:*', 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await client.del(...keys);
  } while (cursor !== '0');
  client.disconnect();
}

/** The schema `npm start` created its tables in (example-app/postgres.js). */
async function dropDemoSchema() {
  const client = new pg.Client({ connectionString: database.DATABASE_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${database.DATABASE_SCHEMA}" CASCADE`);
  await client.end();
}
