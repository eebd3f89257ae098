// npm run bench:scale — what a large MemoryStore does to the bearer check: its cost as the store
// grows, and whether the store's maintenance ever holds the event loop.
//
//   node bench/scale.mjs [--quick] [--strict] [--rounds N] [--duration S]
//   --quick: stores a tenth the size, one short round (CI's smoke run); --strict: exit 1 when the
//   stall bound is missed
//
// Each server is its own process (the bench's express app: `login.bearer` on GET /api/x with one
// of the package's session tokens, the default MemoryStore filled beforehand), loaded by
// autocannon from here with 50 connections.
//
// 1. Scale curve: servers holding 0, 10,000, 100,000 and 1,000,000 live sessions, measured in
//    interleaved rounds: req/s, latency, CPU µs per request and the heap after a full GC.
// 2. Stalls: a server holding 1,000,000 used one-time tokens and 300,000 sessions, swept every
//    second (the default is every 30 s; more sweeps fall inside the run). Each server reports the
//    delay of its event loop (`monitorEventLoopDelay`, 1 ms resolution) — its maximum is the
//    longest the loop was held — and its longest garbage-collection pause, which is V8's, not a
//    task of ours:
//    - idle, while the sweeps walk every live entry, then while one removes them all;
//    - under load, against the empty server under the same load, with every entry expiring 2 s in.
//    Bound: no task holds the loop more than 10 ms, read from the idle maxima (under load a turn
//    of the loop also serves every request that arrived together, on the empty store too).
// 3. The handoff on RedisStore (127.0.0.1:6379), one instance and two sharing one Redis, the same
//    partner validator and the load split between them, in interleaved rounds: req/s and CPU µs
//    per request of the instances together. The keys go under a prefix of their own, deleted at
//    the end.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { markdownTable, median } from './table.mjs';

const stallBoundMs = 10;
/** One counter for the whole run, so that no handoff token is sent twice. */
let handoffCounter = 0;

if (process.argv[2] === '--serve') await serve(JSON.parse(process.argv[3]));
else await main();

async function main() {
  const { values: args } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      strict: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      duration: { type: 'string' },
    },
  });
  const scale = args.quick ? 0.1 : 1;
  const rounds = Number(args.rounds ?? (args.quick ? 1 : 7));
  const durationS = Number(args.duration ?? (args.quick ? 0.5 : 1));
  const loadS = args.quick ? 3 : 8;
  const idleMs = args.quick ? 1500 : 3500;
  const large = { ledger: 1_000_000 * scale, sessions: 300_000 * scale, sweepIntervalMs: 1000 };

  const servers = new Set();
  // Bounded: whatever hangs, the run ends by then and takes its servers with it.
  setTimeout(() => {
    console.error('bench:scale: no result within 10 minutes; stopping');
    for (const server of servers) server.child.kill('SIGKILL');
    process.exit(2);
  }, 10 * 60_000).unref();
  const start = async (config) => {
    const server = await startServer(config);
    servers.add(server);
    return server;
  };

  // 1. Scale curve.
  const sizes = [0, 10_000, 100_000, 1_000_000].map((n) => n * scale);
  const curve = [];
  for (const sessions of sizes) curve.push({ sessions, server: await start({ sessions, ledger: 0 }), rounds: [] });
  for (let round = 1; round <= rounds; round++) {
    for (const entry of curve) entry.rounds.push(await load(entry.server, durationS));
    console.log(`round ${round}/${rounds}: ${curve.map(({ sessions, rounds: done }) => `${sessions.toLocaleString('en')} sessions ${Math.round(done.at(-1).rps)} req/s`).join(', ')}`);
  }
  const emptyCpu = median(curve[0].rounds.map((r) => r.cpuUs));
  const curveLines = curve.map(({ sessions, server, rounds: done }) => {
    const cpuUs = median(done.map((r) => r.cpuUs));
    return [
      sessions.toLocaleString('en'),
      Math.round(median(done.map((r) => r.rps))).toString(),
      median(done.map((r) => r.p50)).toFixed(1),
      median(done.map((r) => r.p99)).toFixed(1),
      cpuUs.toFixed(0),
      (emptyCpu / cpuUs).toFixed(2),
      server.heapMiB.toFixed(0),
      String(done.reduce((sum, r) => sum + r.failed, 0)),
    ];
  });
  for (const { server } of curve) await stopServer(server, servers);

  // 2. Stalls.
  // One server at a time, so that no other server's sweeps share the machine with the one measured.
  const stalls = [];
  const idleFor = async (what, server, sweeping = true) => {
    await ask(server, 'reset');
    await sleep(idleMs);
    stalls.push({ what, stats: await ask(server, 'stats'), sweeping });
  };
  const underLoad = async (what, server, during) => {
    const [result, stats] = await loadWithStats(server, loadS, during);
    stalls.push({ what, stats, result, sweeping: false });
  };
  const empty = await start({ sessions: 0, ledger: 0, sweepIntervalMs: large.sweepIntervalMs });
  await idleFor('empty store, idle', empty, false);
  await underLoad('empty store, under load', empty);
  await stopServer(empty, servers);
  const idle = await start(large);
  await idleFor('large store, idle, the sweeps walking every entry (none expired)', idle);
  await ask(idle, 'expire');
  await idleFor('large store, idle, a sweep removing every entry', idle);
  await stopServer(idle, servers);
  const busy = await start(large);
  await underLoad('large store under load, every entry expiring 2 s in', busy, () => ask(busy, 'expire'));
  await stopServer(busy, servers);

  // 3. The handoff on Redis, one instance and two.
  const instances = await handoffInstances(rounds, durationS);

  const ms = (value) => value.toFixed(1);
  const stallLines = stalls.map(({ what, stats, result }) => [
    what,
    result === undefined ? '—' : Math.round(result.rps).toString(),
    result === undefined ? '—' : ms(result.p99),
    ms(stats.delayP99Ms),
    ms(stats.delayMaxMs),
    ms(stats.gcMaxMs),
    `${stats.ledger.toLocaleString('en')} / ${stats.sessions.toLocaleString('en')}`,
  ]);
  const idleMax = Math.max(...stalls.filter((s) => s.sweeping).map((s) => s.stats.delayMaxMs));
  const failedHandoffs = instances.reduce((sum, line) => sum + Number(line[4]) + Number(line[5]), 0);
  const failed = failedHandoffs + stalls.reduce((sum, s) => sum + (s.result?.failed ?? 0), 0) + curve.reduce((sum, c) => sum + c.rounds.reduce((n, r) => n + r.failed, 0), 0);

  console.log(`\nThe bearer check as the store grows (${rounds} × ${durationS} s, interleaved; medians of the rounds):\n`);
  console.log(markdownTable(['live sessions', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'CPU ratio to empty', 'heap MiB', 'failed'], curveLines, ['live sessions', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'CPU ratio to empty', 'heap MiB', 'failed']));
  console.log(`\nStalls: ${large.ledger.toLocaleString('en')} used one-time tokens and ${large.sessions.toLocaleString('en')} sessions, swept every ${large.sweepIntervalMs / 1000} s (load ${loadS} s, 50 connections):\n`);
  console.log(markdownTable(['server', 'req/s', 'p99 ms', 'loop delay p99 ms', 'loop delay max ms', 'longest GC pause ms', 'ledger / sessions left'], stallLines, ['req/s', 'p99 ms', 'loop delay p99 ms', 'loop delay max ms', 'longest GC pause ms']));
  console.log(`\nThe handoff on RedisStore, one instance and two sharing one Redis (${rounds} × ${durationS} s, interleaved; medians of the rounds):\n`);
  console.log(markdownTable(['instances', 'req/s', 'p99 ms', 'CPU µs/req', 'bad status', 'errors'], instances, ['instances', 'req/s', 'p99 ms', 'CPU µs/req', 'bad status', 'errors']));
  const met = idleMax <= stallBoundMs;
  console.log(`\nlongest hold of the loop while sweeping (idle): ${ms(idleMax)} ms (target ≤ ${stallBoundMs}: ${met ? 'met' : 'MISSED'}); failed requests: ${failed}`);
  console.log(`node ${process.version}`);
  if (failed > 0 || (args.strict && !met)) process.exitCode = 1;
}

/**
 * Part 3: the partner validator and two `ours-handoff` servers on one Redis (bench/child.mjs, as
 * `npm run bench` starts them), measured with one instance and with both, round after round.
 */
async function handoffInstances(rounds, durationS) {
  const redisPrefix = `lwt-bench-scale:${process.pid}:`;
  const redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  await redis.connect().catch((error) => {
    throw new Error(`Redis is not answering on 127.0.0.1:6379: ${error.message}`);
  });
  const children = [];
  try {
    const validator = await startChild('validator', {}, children);
    const config = { store: 'redis', redisPrefix, hashKey: randomBytes(32).toString('base64url'), validatorOrigin: `http://127.0.0.1:${validator.port}` };
    const servers = [await startChild('ours-handoff', config, children), await startChild('ours-handoff', config, children)];
    const measured = { 1: [], 2: [] };
    for (let round = 0; round < rounds; round++) {
      for (const count of [1, 2]) measured[count].push(await loadHandoffs(servers.slice(0, count), durationS));
    }
    return Object.entries(measured).map(([count, done]) => [
      count,
      Math.round(median(done.map((r) => r.rps))).toString(),
      median(done.map((r) => r.p99)).toFixed(1),
      median(done.map((r) => r.cpuUs)).toFixed(0),
      String(done.reduce((sum, r) => sum + r.bad, 0)),
      String(done.reduce((sum, r) => sum + r.errors, 0)),
    ]);
  } finally {
    for (const child of children) child.kill();
    const keys = await redis.keys(`${redisPrefix}*`);
    for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
    redis.disconnect();
  }
}

/** 50 connections split over `servers`, each request with a token never sent before. */
async function loadHandoffs(servers, durationS) {
  const cpu = () => Promise.all(servers.map((server) => askChild(server.child, 'cpu').then(({ usage }) => usage.user + usage.system)));
  const before = await cpu();
  const results = await Promise.all(
    servers.map((server) =>
      autocannon({
        url: `http://127.0.0.1:${server.port}/authentication/login`,
        connections: 50 / servers.length,
        duration: durationS,
        requests: [{ setupRequest: (request) => ({ ...request, path: `/authentication/login?authToken=t-scale-${++handoffCounter}` }) }],
      }),
    ),
  );
  const after = await cpu();
  const requests = results.reduce((sum, r) => sum + r.requests.total, 0);
  return {
    rps: requests / durationS,
    p99: Math.max(...results.map((r) => r.latency.p99)),
    cpuUs: after.reduce((sum, us, i) => sum + us - before[i], 0) / Math.max(1, requests),
    // 3xx is a success: the handoff answers 303.
    bad: results.reduce((sum, r) => sum + r['1xx'] + r['4xx'] + r['5xx'], 0),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
  };
}

/** A server of bench/child.mjs, listening; `children` collects it for the end. */
async function startChild(name, config, children) {
  const child = fork(fileURLToPath(new URL('./child.mjs', import.meta.url)), [name], { env: { ...process.env, BENCH_CONFIG: JSON.stringify(config) } });
  children.push(child);
  const message = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before it was ready`)));
  });
  return { ...message, child };
}

function askChild(child, type) {
  return new Promise((resolve) => {
    child.once('message', resolve);
    child.send({ type });
  });
}

/** One server process, filled and listening; `heapMiB` is its heap after a full GC, filled. */
function startServer(config) {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', JSON.stringify(config)], { execArgv: ['--expose-gc'] });
  const server = { child, waiting: new Map() };
  child.on('message', (message) => {
    server.waiting.get(message.type)?.(message);
    server.waiting.delete(message.type);
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    server.waiting.set('ready', (message) => resolve(Object.assign(server, message)));
  });
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function stopServer(server, servers) {
  servers.delete(server);
  server.child.removeAllListeners('exit');
  server.child.kill();
}

/** Sends `type` and waits for the server's answer of the same type. */
function ask(server, type) {
  return new Promise((resolve) => {
    server.waiting.set(type, resolve);
    server.child.send({ type });
  });
}

async function load(server, durationS) {
  const [result, stats] = await loadWithStats(server, durationS);
  return { ...result, cpuUs: stats.cpuUs / Math.max(1, result.requests) };
}

async function loadWithStats(server, durationS, during) {
  await ask(server, 'reset');
  const running = autocannon({
    url: `http://127.0.0.1:${server.port}/api/x`,
    connections: 50,
    duration: durationS,
    headers: { authorization: `Bearer ${server.token}` },
  });
  if (during !== undefined) setTimeout(during, 2000);
  const result = await running;
  const stats = await ask(server, 'stats');
  return [
    {
      rps: result.requests.total / durationS,
      requests: result.requests.total,
      p50: result.latency.p50,
      p99: result.latency.p99,
      failed: result.non2xx + result.errors,
    },
    stats,
  ];
}

/** The server side: a MemoryStore filled with `ledger` used tokens and `sessions` sessions. */
async function serve({ sessions, ledger, sweepIntervalMs }) {
  const { monitorEventLoopDelay, PerformanceObserver } = await import('node:perf_hooks');
  const { createServer } = await import('node:http');
  const { once } = await import('node:events');
  const express = (await import('express')).default;
  const { MemoryStore, createLoginWithToken } = await import('login-with-token');
  const { fillLedger, fillSessions } = await import('./fill-store.mjs');
  const { fetchSessionToken, ok, resolveUser } = await import('./servers/common.mjs');
  process.on('disconnect', () => process.exit(0));

  // The store's clock runs `offsetMs` ahead: 'expire' moves it past every filled entry's end,
  // but not past the bench's own session token (an hour).
  let offsetMs = 0;
  const store = new MemoryStore({ now: () => Date.now() + offsetMs, maxSessions: Math.max(1_000_000, sessions + 1), ...(sweepIntervalMs && { sweepIntervalMs }) });
  // Filled entries that expire end within 20 minutes; the scale curve's stay live.
  const expiring = sweepIntervalMs !== undefined;
  const now = Date.now();
  await fillLedger(store, ledger, 600_000);
  await fillSessions(store, sessions, { createdAt: now, expiresAt: now + (expiring ? 20 * 60_000 : 24 * 3600_000) });

  const login = createLoginWithToken({ store, commands: { VerifyCredentials: { run: () => ({ ContactId: '1' }) } }, resolveUser });
  const app = express();
  app.get('/api/x', login.bearer, ok);
  app.use('/api', login.apiErrorHandler);
  app.use(login.router);
  const server = createServer(app).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  const token = await fetchSessionToken(`http://127.0.0.1:${port}`);
  globalThis.gc();
  globalThis.gc();
  const heapMiB = process.memoryUsage().heapUsed / 2 ** 20;

  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  let gcMaxMs = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMaxMs = Math.max(gcMaxMs, entry.duration);
  }).observe({ entryTypes: ['gc'] });
  let cpuFrom = process.cpuUsage();

  process.on('message', ({ type }) => {
    if (type === 'reset') {
      delay.reset();
      gcMaxMs = 0;
      cpuFrom = process.cpuUsage();
    } else if (type === 'expire') offsetMs += 30 * 60_000;
    if (type !== 'stats') return process.send({ type });
    const cpu = process.cpuUsage(cpuFrom);
    process.send({
      type,
      cpuUs: cpu.user + cpu.system,
      delayP99Ms: delay.percentile(99) / 1e6,
      delayMaxMs: delay.max / 1e6,
      gcMaxMs,
      ledger: store.ledger.size,
      sessions: store.sessions.size,
    });
  });
  process.send({ type: 'ready', port, token, heapMiB });
}
