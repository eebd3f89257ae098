// npm run bench:store — the three stores side by side: MemoryStore, RedisStore and PostgresStore
// doing what a request asks of them (redeem a one-time token, count and refund a client network's
// attempt, look a session up with and without an idle timeout), with a fixed number of
// operations in flight for a fixed time. The measurements are interleaved (memory, Redis, PostgreSQL, memory, Redis, …), so drift
// of the shared machine hits every store alike. Then, through bench/run.mjs, the handoff and the
// bearer check over HTTP on PostgresStore beside their twins on the default MemoryStore.
//
//   node bench/store.mjs                 5 rounds × 1 s per operation and store, then 4 × 2 s per HTTP variant (about 2½ minutes)
//   node bench/store.mjs --quick         1 round × 0.3 s and one 1 s HTTP round (about 25 s): the smoke run for CI
//   --rounds N --duration S --warmup S   rounds, seconds per measurement, seconds of warm-up per measurement
//   --concurrency N                      operations in flight (32)
//   --sessions N                         sessions looked up round-robin, per kind (5,000; --quick 1,000)
//   --pool N                             PostgreSQL connections (10, pg's default)
//   --store-only                         skip the HTTP variants
//
// Redis (127.0.0.1:6379) and PostgreSQL (127.0.0.1:5432, database `test`) must run: the store
// works under a key prefix and in a schema of its own, both deleted at the end. Only a full run
// (no --quick) writes bench/store-results.json.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { MemoryStore } from 'login-with-token';
import { PostgresStore } from 'login-with-token/postgres';
import { RedisStore } from 'login-with-token/redis';
// The package's own key builder (internal, so from the build), as in bench/memory.mjs.
import { rateLimitKeys } from '../dist/store/store-keys.js';
import { cpuBetween, postgresCpu, redisCpu } from './database-cpu.mjs';
import { createPool } from './postgres.mjs';
import { formatTable as formatHttpTable, markdownTable, median } from './table.mjs';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    concurrency: { type: 'string', default: '32' },
    sessions: { type: 'string' },
    pool: { type: 'string', default: '10' },
    'store-only': { type: 'boolean', default: false },
  },
});
const settings = {
  rounds: Number(args.rounds ?? (args.quick ? 1 : 5)),
  durationS: Number(args.duration ?? (args.quick ? 0.3 : 1)),
  warmupS: Number(args.warmup ?? (args.quick ? 0.1 : 0.3)),
  concurrency: Number(args.concurrency),
  sessions: Number(args.sessions ?? (args.quick ? 1_000 : 5_000)),
  postgresPool: Number(args.pool),
};
// What the HTTP part passes to bench/run.mjs: 4 rounds of 2 s keep the whole run under three minutes.
const httpArgs = args.quick ? ['--quick', '--warmup', '0', '--duration', '1'] : ['--rounds', '4', '--duration', '2'];
const httpVariants = ['ours-middleware-postgres', 'ours-handoff-postgres'];
const resultsUrl = new URL('./store-results.json', import.meta.url);
const redisUrl = 'redis://127.0.0.1:6379';

// The flows' own lifetimes, so every store holds what it would hold in production.
const holdMs = 60_000; // handoff.reservationMs
const rememberMs = 600_000; // handoff.maxTokenAgeMs: how long a used token is remembered
const sessionTtlMs = 3_600_000; // sessionTokens.ttlMs
const connectionIdleMs = 600_000; // logon.connectionTimeoutSeconds
const connectionMaxAgeMs = 43_200_000; // logon.connectionMaxAgeSeconds
const windowMs = 900_000; // rateLimits.windowMs
const networkLimit = 100; // rateLimits.handoffFailuresPerIp
// One client network's counter: all of the load comes from one network, as all of the HTTP
// benchmarks' load comes from 127.0.0.1 (the package's own key, from the build).
const networkKey = rateLimitKeys.handoffIp('127.0.0.1');

const operations = [
  { name: 'redeem', title: 'ledger.reserve + ledger.consume of a fresh key (one redemption)' },
  {
    name: 'count-refund',
    title: "rateLimits.add +1 then −1 on one client network's counter (what each successful handoff does: counted first, refunded on success)",
  },
  { name: 'use', title: 'sessions.use of a session without idle timeout (a session token)' },
  { name: 'use-idle', title: 'sessions.use of a session with an idle timeout (a connection: the expiry slides)' },
];

// Bounded: whatever a server does, the run ends by this deadline, cleaning up what it can.
const cells = operations.length * 3;
const budgetMs = 120_000 + cells * (settings.warmupS + settings.rounds * (settings.durationS + 1)) * 1000 + (args['store-only'] ? 0 : 240_000);
setTimeout(async () => {
  console.error(`bench:store: no result within ${Math.round(budgetMs / 1000)} s; stopping`);
  httpRun?.kill('SIGTERM');
  await Promise.race([cleanUp(), new Promise((resolve) => setTimeout(resolve, 5_000))]);
  process.exit(2);
}, budgetMs).unref();

// Keys shaped like the package's (43 base64url characters, as secretHash makes them) without
// hashing on every operation, which would add the same cost to every store.
const runTag = randomBytes(15).toString('base64url');
let counter = 0;
const freshKey = () => `${runTag}${(++counter).toString(36).padStart(23, '0')}`;

/** What one operation of each kind does; each returns true when the store answered as it should. */
const runners = {
  async redeem({ store }) {
    const key = freshKey();
    const reservation = await store.ledger.reserve(key, holdMs);
    return reservation.status === 'reserved' && (await store.ledger.consume(key, reservation.id, rememberMs));
  },
  async 'count-refund'({ store }) {
    const counted = await store.rateLimits.add(networkKey, 1, windowMs, networkLimit);
    const refunded = await store.rateLimits.add(networkKey, -1, windowMs, networkLimit);
    return counted.count >= 1 && refunded.count >= 0;
  },
  async use({ store, sessions }) {
    const key = sessions.plain[sessions.next++ % sessions.plain.length];
    return (await store.sessions.use(key, 'default'))?.userId !== undefined;
  },
  async 'use-idle'({ store, sessions }) {
    const key = sessions.idle[sessions.nextIdle++ % sessions.idle.length];
    return (await store.sessions.use(key, 'default'))?.userId !== undefined;
  },
};

const redisPrefix = `lwt-bench-store:${process.pid}:${runTag}:`;
const schema = `lwt_bench_store_${process.pid}_${randomBytes(4).toString('hex')}`;
const applicationName = `lwt-bench-store-${process.pid}`;
let redis;
let pool;
let monitor;
let httpRun;
const stores = [];

try {
  redis = new Redis(redisUrl, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  await redis.connect().catch((error) => {
    throw new Error(`Redis is not answering on ${redisUrl}: ${error.message}`);
  });
  pool = createPool({ applicationName, max: settings.postgresPool });
  // A connection of its own for the CPU and WAL readings, so they never wait behind the load.
  monitor = createPool({ applicationName: `${applicationName}-monitor`, max: 1 });
  await monitor.query('SELECT 1').catch((error) => {
    throw new Error(`PostgreSQL is not answering on 127.0.0.1:5432: ${error.message}`);
  });

  // The ledger holds every token redeemed in the run (they are remembered for 10 minutes).
  stores.push({ name: 'memory', store: new MemoryStore({ maxLedgerEntries: 100_000_000 }) });
  stores.push({ name: 'redis', store: new RedisStore({ client: redis, prefix: redisPrefix }), serverCpu: await redisCpu(redis) });
  const postgres = new PostgresStore({ pool, schema });
  await postgres.migrate();
  stores.push({ name: 'postgres', store: postgres, serverCpu: postgresCpu(monitor, applicationName), wal: true });

  const setupStarted = performance.now();
  for (const entry of stores) entry.sessions = await createSessions(entry.store);
  // Open every pool connection now, not in the first measurement.
  await Promise.all(Array.from({ length: settings.postgresPool }, () => pool.query('SELECT 1')));

  const run = (entry, operation) => runners[operation.name](entry);
  console.log(
    `store operations: ${settings.sessions.toLocaleString('en')} sessions of each kind written in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s; ` +
      `${settings.concurrency} in flight; warm-up ${settings.warmupS} s each, then ${settings.rounds} × ${settings.durationS} s`,
  );
  for (const operation of operations) for (const entry of stores) await measure(() => run(entry, operation), entry, settings.warmupS);

  const loadAtStart = os.loadavg();
  const rounds = [];
  for (let round = 1; round <= settings.rounds; round++) {
    const results = {};
    for (const operation of operations) {
      for (const entry of stores) results[`${operation.name}/${entry.name}`] = await measure(() => run(entry, operation), entry, settings.durationS);
    }
    rounds.push(results);
    console.log(`round ${round}/${settings.rounds}: ${Object.entries(results).map(([cell, r]) => `${cell} ${Math.round(r.opsPerSecond)}`).join(', ')}`);
  }

  const summary = summarise(rounds);
  console.log(`\n${formatTable(summary)}\n`);
  for (const operation of operations) console.log(`${operation.name}: ${operation.title}`);
  console.log(
    [
      'ops/s: median of the rounds; p50/p99: latency of one operation (both calls of a pair) with',
      `${settings.concurrency} in flight, median of the rounds. client CPU: this process (process.cpuUsage) per operation —`,
      'for memory the whole store, for Redis and PostgreSQL only the client side (ioredis, pg, the store code).',
      "server CPU is NOT in it: read separately from /proc — redis-server's process; PostgreSQL's connections of",
      'this run plus its background processes (WAL writer, checkpointer, autovacuum), shared with any other',
      "client of the server. WAL: bytes of write-ahead log per operation (server-wide). other CPU: the machine's",
      'CPU used by anything else during the measurement, in % of all cores: high means noisy numbers.',
    ].join('\n'),
  );
  const machine = {
    cpu: os.cpus()[0]?.model,
    cores: os.cpus().length,
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    date: new Date().toISOString(),
    loadAverage: { atStart: loadAtStart, atEnd: os.loadavg() },
    redis: /^redis_version:(.*)$/m.exec(await redis.info('server'))?.[1]?.trim(),
    postgres: (await monitor.query('SHOW server_version')).rows[0]?.server_version,
    source: gitState(),
  };
  console.log(`${machine.cpu}, ${machine.cores} cores, node ${machine.node}, Redis ${machine.redis}, PostgreSQL ${machine.postgres}`);
  const sessionsTable = await postgresSessionsTable(postgres);
  console.log(
    `PostgreSQL sessions table after the run: ${sessionsTable.updates} updates, ${sessionsTable.hotUpdates} of them HOT (no index change), ${sessionsTable.deadRows} dead row versions`,
  );
  const failed = summary.filter((row) => row.failures > 0);
  if (failed.length > 0) console.error(`FAILED operations: ${failed.map((row) => `${row.operation}/${row.store} ${row.failures} (${row.firstError})`).join(', ')}`);

  let http;
  if (!args['store-only']) http = await runHttpVariants();

  if (!args.quick) {
    await writeFile(resultsUrl, `${JSON.stringify({ machine, settings, operations, summary, rounds, postgresSessionsTable: sessionsTable, http }, null, 2)}\n`);
    console.log('raw numbers: bench/store-results.json');
  }
  process.exitCode = failed.length > 0 || (http !== undefined && !http.ok) ? 1 : 0;
} finally {
  await cleanUp();
}

/** `settings.sessions` session tokens and as many connections, each of another user. */
async function createSessions(store) {
  const now = Date.now();
  const session = (i, idle) => ({
    kind: idle ? 'connection' : 'session-token',
    tenant: 'default',
    userId: `u-${i}`,
    identity: { contactId: String(i), contactEmail: undefined, tokenType: idle ? 'profile-1' : 'credentials' },
    createdAt: now,
    expiresAt: now + (idle ? connectionMaxAgeMs : sessionTtlMs),
    ...(idle ? { idleTimeoutMs: connectionIdleMs } : {}),
  });
  const plain = Array.from({ length: settings.sessions }, freshKey);
  const idle = Array.from({ length: settings.sessions }, freshKey);
  const work = [...plain.map((key, i) => [key, session(i, false)]), ...idle.map((key, i) => [key, session(settings.sessions + i, true)])];
  let next = 0;
  const writer = async () => {
    while (next < work.length) {
      const [key, value] = work[next++];
      await store.sessions.create(key, value);
    }
  };
  await Promise.all(Array.from({ length: settings.concurrency }, writer));
  return { plain, idle, next: 0, nextIdle: 0 };
}

/** Runs `operation` with `settings.concurrency` in flight for `seconds`. */
async function measure(operation, entry, seconds) {
  const latencies = [];
  let failures = 0;
  let firstError;
  const serverBefore = await entry.serverCpu?.();
  const walBefore = entry.wal ? await walPosition() : undefined;
  const machineBefore = machineCpuMs();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const end = started + seconds * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const operationStarted = performance.now();
      try {
        if (!(await operation())) failures++;
      } catch (error) {
        failures++;
        firstError ??= error.message;
      }
      latencies.push(performance.now() - operationStarted);
    }
  };
  await Promise.all(Array.from({ length: settings.concurrency }, worker));
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const machineBusyMs = machineCpuMs() - machineBefore;
  const serverUs = entry.serverCpu === undefined ? undefined : cpuBetween(serverBefore, await entry.serverCpu());
  const walBytes = entry.wal ? Number((await monitor.query('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1)::float8 AS bytes', [walBefore])).rows[0].bytes) : undefined;
  const sorted = Float64Array.from(latencies).sort();
  const ops = latencies.length;
  const clientUs = cpu.user + cpu.system;
  return {
    ops,
    opsPerSecond: ops / (wallMs / 1000),
    p50Us: percentile(sorted, 0.5) * 1000,
    p99Us: percentile(sorted, 0.99) * 1000,
    clientCpuUsPerOp: clientUs / ops,
    serverCpuUsPerOp: serverUs === undefined ? undefined : serverUs / ops,
    walBytesPerOp: walBytes === undefined ? undefined : walBytes / ops,
    // CPU used by anything but this process and the store's server, in percent of all cores.
    otherCpuPercent: Math.max(0, Math.round(((machineBusyMs - (clientUs + (serverUs ?? 0)) / 1000) / (wallMs * os.cpus().length)) * 100)),
    failures,
    firstError,
  };
}

function percentile(sorted, fraction) {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
}

async function walPosition() {
  return (await monitor.query('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0].lsn;
}

/** One row per operation and store: medians of the rounds. */
function summarise(rounds) {
  return operations.flatMap((operation) =>
    stores.map((entry) => {
      const own = rounds.map((round) => round[`${operation.name}/${entry.name}`]);
      const pick = (field) => median(own.map((r) => r[field]).filter((value) => value !== undefined));
      return {
        operation: operation.name,
        store: entry.name,
        opsPerSecond: pick('opsPerSecond'),
        p50Us: pick('p50Us'),
        p99Us: pick('p99Us'),
        clientCpuUsPerOp: pick('clientCpuUsPerOp'),
        serverCpuUsPerOp: pick('serverCpuUsPerOp'),
        walBytesPerOp: pick('walBytesPerOp'),
        otherCpuPercent: pick('otherCpuPercent'),
        failures: own.reduce((sum, r) => sum + r.failures, 0),
        firstError: own.find((r) => r.firstError !== undefined)?.firstError,
      };
    }),
  );
}

function formatTable(rows) {
  const header = ['operation', 'store', 'ops/s', 'p50 µs', 'p99 µs', 'client CPU µs/op', 'server CPU µs/op', 'WAL B/op', 'other CPU %', 'failures'];
  const number = (value, digits = 0) => (Number.isFinite(value) ? value.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '—');
  const lines = rows.map((row) => [
    row.operation,
    row.store,
    number(row.opsPerSecond),
    number(row.p50Us),
    number(row.p99Us),
    number(row.clientCpuUsPerOp, 1),
    number(row.serverCpuUsPerOp, 1),
    number(row.walBytesPerOp),
    number(row.otherCpuPercent),
    String(row.failures),
  ]);
  return markdownTable(header, lines, header.slice(2));
}

/** How the sessions' idle-timeout writes landed: HOT updates touch no index. */
async function postgresSessionsTable(store) {
  const [schemaName, tableName] = store.tables.sessions.split('.').map((part) => part.replaceAll('"', ''));
  const { rows } = await monitor.query(
    `SELECT n_tup_upd::int AS updates, n_tup_hot_upd::int AS "hotUpdates", n_dead_tup::int AS "deadRows" FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = $2`,
    [schemaName, tableName],
  );
  return rows[0] ?? {};
}

/**
 * The handoff and the bearer check over HTTP on PostgresStore, next to their memory twins (and
 * their baselines), through the same runner as `npm run bench`.
 */
async function runHttpVariants() {
  const resultsFile = `${os.tmpdir()}/lwt-bench-store-http-${process.pid}.json`;
  console.log(`\nHTTP: node bench/run.mjs --only ${httpVariants.join(',')} ${httpArgs.join(' ')}`);
  httpRun = spawn(process.execPath, [new URL('./run.mjs', import.meta.url).pathname, '--only', httpVariants.join(','), ...httpArgs, '--results', resultsFile], {
    stdio: 'inherit',
  });
  const [code] = await once(httpRun, 'exit');
  httpRun = undefined;
  try {
    const results = JSON.parse(await readFile(resultsFile, 'utf8'));
    await rm(resultsFile, { force: true });
    return { ok: code === 0, ...results, table: formatHttpTable(results.summary) };
  } catch {
    return { ok: false, exitCode: code };
  }
}

async function cleanUp() {
  const ignore = () => undefined;
  for (const { store } of stores.splice(0)) await store.close().catch(ignore);
  if (redis !== undefined && redis.status === 'ready') {
    // Every key of this run, then the client: the prefix names the process and the run.
    let cursor = '0';
    let deleted = 0;
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 1000).catch(() => ['0', []]);
      if (keys.length > 0) deleted += await redis.unlink(...keys).catch(() => 0);
      cursor = next;
    } while (cursor !== '0');
    if (deleted > 0) console.log(`deleted ${deleted} Redis keys under ${redisPrefix}`);
  }
  redis?.disconnect();
  redis = undefined;
  if (monitor !== undefined) await monitor.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch((error) => console.error(`could not drop schema ${schema}: ${error.message}`));
  await Promise.all([pool?.end().catch(ignore), monitor?.end().catch(ignore)]);
  pool = monitor = undefined;
}

/** Which code was measured: dist/ is built from the working tree, so say whether src/ was clean. */
function gitState() {
  try {
    // Read-only: no opportunistic index refresh while others work in the same checkout.
    const env = { ...process.env, GIT_OPTIONAL_LOCKS: '0' };
    const git = (...gitArgs) => execFileSync('git', gitArgs, { cwd: new URL('..', import.meta.url), encoding: 'utf8', env }).trim();
    return { commit: git('rev-parse', 'HEAD'), srcChanged: git('status', '--porcelain', '--', 'src') !== '' };
  } catch {
    return undefined;
  }
}

/** CPU time all cores spent busy since boot, in ms. */
function machineCpuMs() {
  return os.cpus().reduce((sum, { times }) => sum + times.user + times.nice + times.sys + times.irq, 0);
}
