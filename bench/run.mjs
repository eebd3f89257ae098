// npm run bench — throughput of our request paths against their plain baselines.
//
// Every server runs in its own child process and autocannon drives it from here, so the load
// generator never competes with the server's event loop. Variants run interleaved (A B C … A B
// C …) and each "ours" variant is compared with its baseline round by round: slow drift of the
// machine (thermal, other tenants) then hits both sides of a ratio alike. Two ratios per pair:
// req/s, and CPU per request (the baseline's CPU µs/req ÷ this one's, so for both 1.00 is par
// and lower is worse). The partners — the validator and the introspection endpoint — run in
// processes of their own, started only when a variant calls them.
//
//   node bench/run.mjs                 5 rounds × 3 s after a 1 s warm-up per server
//   node bench/run.mjs --quick         1 round × 1 s: a smoke run, fails on errors only
//   --rounds N --duration S --warmup S --connections N
//   --only a,b                         these variants (and their baselines); the only way to run
//                                      the on-demand ones (PostgresStore: npm run bench:store)
//   --profile A,B                      run these servers under --cpu-prof (/tmp/prof/NAME); with
//                                      BENCH_NO_INLINING=1 also --no-turbo-inlining, so that self
//                                      time lands on the function that spent it (slower overall)
//   --strict                           also fail when a target is missed
//   --results FILE                     write this run's numbers to FILE (JSON)
//
// Only a full run (no --quick, --only or --profile) writes bench/results.json.
import { execFileSync, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { cpuBetween } from './database-cpu.mjs';
import { makeJwt } from './keys.mjs';
import { compare, formatComparisons, formatTable, summarise } from './table.mjs';
import { needsIntrospection, needsValidator, variants as allVariants } from './variants.mjs';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    connections: { type: 'string', default: '50' },
    only: { type: 'string' },
    profile: { type: 'string' },
    strict: { type: 'boolean', default: false },
    results: { type: 'string' },
  },
});
const settings = {
  rounds: Number(args.rounds ?? (args.quick ? 1 : 5)),
  durationS: Number(args.duration ?? (args.quick ? 1 : 3)),
  warmupS: Number(args.warmup ?? 1),
  connections: Number(args.connections),
  pipelining: 1,
};
const variants = selectVariants(args.only);
const resultsUrl = new URL('./results.json', import.meta.url);
// Only a complete, unprofiled run is the record in results.json.
const isRecord = !args.quick && args.only === undefined && args.profile === undefined;

// Bounded: however a server or autocannon misbehaves, the whole run ends by this deadline.
const budgetMs = 60_000 + variants.length * (settings.warmupS + settings.rounds * (settings.durationS + 3)) * 1000;
const children = new Set();
setTimeout(() => {
  console.error(`bench: no result within ${Math.round(budgetMs / 1000)} s; stopping`);
  for (const child of children) child.kill('SIGKILL');
  process.exit(2);
}, budgetMs).unref();

const loadAtStart = os.loadavg();
const busyBeforeStart = await machineBusyPercent(1000);
const ctx = {
  jwt: await makeJwt(),
  partnerToken: `p-${randomBytes(24).toString('base64url')}`,
  // Active at the introspection endpoint, as is every fresh `t-…` token.
  accessToken: `at-${randomBytes(24).toString('base64url')}`,
};
const config = {
  jwt: ctx.jwt,
  deadlineMs: budgetMs,
  // The portal's client at the local introspection endpoint.
  introspection: { issuer: 'https://as.bench.invalid/', clientId: 'bench-portal', clientSecret: randomBytes(24).toString('base64url') },
};
// The partner processes this run started, by name: their CPU is read around each measurement.
const partners = {};

try {
  for (const [name, needs, origin] of [
    ['validator', needsValidator, 'validatorOrigin'],
    ['introspection', needsIntrospection, 'introspectionOrigin'],
  ]) {
    if (!variants.some((variant) => needs.has(variant.server))) continue;
    partners[name] = await startServer(name, name, config);
    config[origin] = `http://127.0.0.1:${partners[name].port}`;
  }
  // Started one after another, so no start-up competes with another.
  const servers = {};
  for (const variant of variants) servers[variant.name] = await startServer(variant.name, variant.server, { ...config, store: variant.store, telemetry: variant.telemetry });

  // One request each first: a server that answers with errors fails the run now, not after minutes.
  for (const variant of variants) await preflight(variant, servers[variant.name]);

  if (settings.warmupS > 0) {
    console.log(`warm-up: ${settings.warmupS} s per server`);
    for (const variant of variants) await measure(variant, servers[variant.name], settings.warmupS);
  }

  const rounds = [];
  for (let round = 1; round <= settings.rounds; round++) {
    const results = {};
    for (const variant of variants) results[variant.name] = await measure(variant, servers[variant.name], settings.durationS);
    rounds.push(results);
    const line = variants.map((variant) => `${variant.name} ${Math.round(results[variant.name].rps)}`).join(', ');
    console.log(`round ${round}/${settings.rounds}: ${line}`);
  }

  const summary = summarise(variants, rounds);
  console.log(`\n${formatTable(summary)}\n`);
  const comparisons = variants.flatMap((variant) => (variant.alsoVs ?? []).map((other) => compare(variant.name, other, rounds)));
  if (comparisons.length > 0) console.log(`${formatComparisons(comparisons)}\n`);
  const machine = {
    cpu: os.cpus()[0]?.model,
    cores: os.cpus().length,
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    date: new Date().toISOString(),
    // Other work on the machine shows here; the ratios are only as good as the quiet.
    busyBeforeStartPercent: busyBeforeStart,
    loadAverage: { atStart: loadAtStart, atEnd: os.loadavg() },
    source: gitState(),
  };
  console.log(`${machine.cpu}, ${machine.cores} cores, node ${machine.node}; ${settings.rounds} × ${settings.durationS} s, ${settings.connections} connections`);
  const noisy = rounds.flatMap((round, i) => Object.entries(round).filter(([, r]) => r.otherCpuPercent > 10).map(([name, r]) => `${name}#${i + 1} ${r.otherCpuPercent}%`));
  if (busyBeforeStart > 10) console.log(`the machine was ${busyBeforeStart}% busy before the run started`);
  if (noisy.length > 0) console.log(`other processes used > 10% of the CPU during ${noisy.length} of ${rounds.length * variants.length} measurements (${noisy.join(', ')}): ratios are noisy`);
  if (isRecord) {
    await writeFile(resultsUrl, `${JSON.stringify({ machine, settings, summary, comparisons, rounds }, null, 2)}\n`);
    console.log('raw numbers: bench/results.json');
  }
  if (args.results !== undefined) await writeFile(args.results, `${JSON.stringify({ machine, settings, summary, comparisons, rounds }, null, 2)}\n`);

  const flagged = summary.filter((row) => row.flagged).map((row) => row.name);
  const missed = summary.filter((row) => row.met === false).map((row) => row.name);
  if (flagged.length > 0) console.error(`FLAGGED (bad statuses or errors): ${flagged.join(', ')}`);
  if (missed.length > 0) console.error(`missed targets: ${missed.join(', ')}${args.quick ? ' (not asserted in --quick)' : ''}`);
  process.exitCode = flagged.length > 0 || (args.strict && missed.length > 0) ? 1 : 0;
} finally {
  await Promise.all([...children].map(stopServer));
  if (variants.some((variant) => variant.store === 'postgres')) await dropLeftOverSchemas();
}

function selectVariants(only) {
  if (only === undefined) return allVariants.filter((variant) => !variant.onDemand);
  const wanted = new Set(only.split(','));
  for (const name of wanted) if (!allVariants.some((variant) => variant.name === name)) throw new Error(`unknown variant ${name}`);
  // A ratio needs its baseline in the same run, and that baseline its own (a twin on another
  // store is compared with the variant that is compared with a plain baseline); so do the
  // further comparisons (`alsoVs`).
  for (let added = true; added; ) {
    added = false;
    for (const variant of allVariants) {
      if (!wanted.has(variant.name)) continue;
      for (const other of [variant.baseline, ...(variant.alsoVs ?? [])]) {
        if (other !== undefined && !wanted.has(other)) {
          wanted.add(other);
          added = true;
        }
      }
    }
  }
  return allVariants.filter((variant) => wanted.has(variant.name));
}

/** Drops the schemas of servers that could not drop their own (killed at the deadline). */
async function dropLeftOverSchemas() {
  const { createPool, dropSchemas, httpSchemaPrefix } = await import('./postgres.mjs');
  const pool = createPool({ applicationName: `lwt-bench-run-${process.pid}`, max: 1 });
  try {
    const dropped = await dropSchemas(pool, httpSchemaPrefix(process.pid));
    if (dropped.length > 0) console.error(`dropped schemas a server left behind: ${dropped.join(', ')}`);
  } catch (error) {
    console.error(`could not look for left-over schemas ${httpSchemaPrefix(process.pid)}*: ${error.message}`);
  } finally {
    await pool.end();
  }
}

async function startServer(name, server, serverConfig) {
  const execArgv = args.profile?.split(',').includes(name) ? ['--cpu-prof', `--cpu-prof-dir=/tmp/prof/${name}`, '--cpu-prof-interval=250', ...(process.env.BENCH_NO_INLINING ? ['--no-turbo-inlining'] : [])] : [];
  const child = fork(new URL('./child.mjs', import.meta.url), [server], {
    env: { ...process.env, BENCH_CONFIG: JSON.stringify(serverConfig) },
    execArgv,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  children.add(child);
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (text) => process.stderr.write(text.replace(/^(?=.)/gm, `[${name}] `)));
  }
  const timeout = AbortSignal.timeout(20_000);
  const [message] = await Promise.race([
    once(child, 'message', { signal: timeout }),
    once(child, 'exit', { signal: timeout }).then(([code]) => Promise.reject(new Error(`${name} exited with ${code} before it was ready`))),
  ]);
  if (message?.type !== 'ready') throw new Error(`${name}: unexpected message ${JSON.stringify(message)}`);
  return { ...message, child };
}

async function stopServer(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  if (child.connected) child.send({ type: 'stop' });
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
  children.delete(child);
}

async function preflight(variant, server) {
  const { path = '/', ...load } = variant.load(server, ctx);
  const result = await autocannon({ url: `http://127.0.0.1:${server.port}${path}`, connections: 1, amount: 1, ...load });
  const codes = Object.keys(result.statusCodeStats);
  if (result.errors > 0 || codes.length !== 1 || !/^[23]/.test(codes[0])) {
    throw new Error(`${variant.name}: the first request failed (statuses ${codes.join(', ') || 'none'}, ${result.errors} errors)`);
  }
}

async function measure(variant, server, durationS) {
  const { path = '/', ...load } = variant.load(server, ctx);
  const cpuBefore = process.cpuUsage();
  const serverBefore = await serverCpu(server);
  const partnersBefore = await partnersCpu();
  const machineBefore = machineCpuMs();
  const started = performance.now();
  const result = await autocannon({
    url: `http://127.0.0.1:${server.port}${path}`,
    connections: settings.connections,
    pipelining: settings.pipelining,
    duration: durationS,
    ...load,
  });
  const cpu = process.cpuUsage(cpuBefore);
  const wallMs = performance.now() - started;
  const machineBusyMs = machineCpuMs() - machineBefore;
  const serverAfter = await serverCpu(server);
  const serverCpuUs = cpuDelta(serverBefore.usage, serverAfter.usage);
  // The database's processes serving this server (PostgresStore), read from /proc by the server.
  const databaseCpuUs = serverAfter.database === undefined ? undefined : cpuBetween(new Map(serverBefore.database), new Map(serverAfter.database));
  const partnersAfter = await partnersCpu();
  const partnerCpuUs = Object.fromEntries(Object.keys(partners).map((name) => [name, cpuDelta(partnersBefore[name], partnersAfter[name])]));
  const allPartnersCpuUs = Object.values(partnerCpuUs).reduce((sum, us) => sum + us, 0);
  const oursMs = (cpu.user + cpu.system + serverCpuUs + allPartnersCpuUs + (databaseCpuUs ?? 0)) / 1000;
  return {
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    durationS: result.duration,
    // 3xx is a success: the handoff answers 303.
    bad: result['1xx'] + result['4xx'] + result['5xx'],
    errors: result.errors, // includes timeouts
    serverCpuUsPerRequest: serverCpuUs / result.requests.total,
    databaseCpuUsPerRequest: databaseCpuUs === undefined ? undefined : databaseCpuUs / result.requests.total,
    // Near 100 would mean autocannon, not the server, set the pace.
    loadGeneratorCpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 100),
    // The partners' CPU per request (validator, introspection endpoint): theirs, not the server's.
    validatorCpuUsPerRequest: (partnerCpuUs.validator ?? 0) / result.requests.total,
    introspectionCpuUsPerRequest: (partnerCpuUs.introspection ?? 0) / result.requests.total,
    // CPU used by anything but this run (other processes), in percent of all cores.
    otherCpuPercent: Math.max(0, Math.round(((machineBusyMs - oursMs) / (wallMs * os.cpus().length)) * 100)),
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, stats]) => [code, stats.count])),
  };
}

/** The CPU usage of every partner process, by name. */
async function partnersCpu() {
  const usage = {};
  for (const [name, partner] of Object.entries(partners)) usage[name] = (await serverCpu(partner)).usage;
  return usage;
}

async function serverCpu({ child }) {
  const reply = once(child, 'message', { signal: AbortSignal.timeout(5_000) });
  child.send({ type: 'cpu' });
  const [message] = await reply;
  return message;
}

/** Which code was measured: dist/ is built from the working tree, so say whether src/ was clean. */
function gitState() {
  try {
    const git = (...gitArgs) => execFileSync('git', gitArgs, { cwd: new URL('..', import.meta.url), encoding: 'utf8' }).trim();
    return { commit: git('rev-parse', 'HEAD'), srcChanged: git('status', '--porcelain', '--', 'src') !== '' };
  } catch {
    return undefined;
  }
}

/** How busy all cores were over `ms`, in percent: other work on the machine skews every number. */
async function machineBusyPercent(ms) {
  const sum = () => os.cpus().reduce((acc, { times }) => ({ idle: acc.idle + times.idle, all: acc.all + Object.values(times).reduce((a, b) => a + b, 0) }), { idle: 0, all: 0 });
  const before = sum();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = sum();
  return Math.round(100 - ((after.idle - before.idle) / (after.all - before.all)) * 100);
}

/** CPU time all cores spent busy since boot, in ms. */
function machineCpuMs() {
  return os.cpus().reduce((sum, { times }) => sum + times.user + times.nice + times.sys + times.irq, 0);
}

function cpuDelta(before, after) {
  return after.user + after.system - before.user - before.system;
}
