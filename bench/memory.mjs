// npm run bench:memory — what the default MemoryStore costs per entry, and that sweeping
// gives it back. Run with --expose-gc: heap sizes are only comparable right after a full GC.
//
//   node --expose-gc bench/memory.mjs [--strict] [--quick]
//   --strict: exit 1 when a target is missed; --quick: a tenth of the entries (CI's smoke run)
import { MemoryStore } from 'login-with-token';
import { fillLedger, fillSessions } from './fill-store.mjs';

const scale = process.argv.includes('--quick') ? 0.1 : 1;
const ledgerEntries = 1_000_000 * scale;
const sessionEntries = 100_000 * scale;
const targets = { ledger: 150, session: 600 };
const rememberMs = 600_000; // handoff.maxTokenAgeMs
const sessionTtlMs = 3_600_000; // sessionTokens.ttlMs

if (typeof globalThis.gc !== 'function') {
  console.error('bench:memory needs node --expose-gc');
  process.exit(1);
}

function heapUsed() {
  // Twice: the first pass may only run finalizers that free more on the second.
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}

const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const verdict = (value, target) => (value <= target ? 'met' : 'MISSED');

let clock = Date.now();
const store = new MemoryStore({ now: () => clock });

const empty = heapUsed();
await fillLedger(store, ledgerEntries, rememberMs);
const withLedger = heapUsed();

await fillSessions(store, sessionEntries, { createdAt: clock, expiresAt: clock + sessionTtlMs });
const full = heapUsed();

const perLedgerEntry = (withLedger - empty) / ledgerEntries;
const perSession = (full - withLedger) / sessionEntries;

// Past both lifetimes: everything is expired, and one sweep must free it all.
clock += sessionTtlMs + rememberMs + 60_000;
const sweepStarted = performance.now();
store.sweep();
const sweepMs = performance.now() - sweepStarted;
const swept = heapUsed();
await store.close();

console.log(`${ledgerEntries.toLocaleString('en')} used one-time tokens: ${mib(withLedger - empty)}, ${perLedgerEntry.toFixed(1)} bytes each (target ≤ ${targets.ledger}: ${verdict(perLedgerEntry, targets.ledger)})`);
console.log(`${sessionEntries.toLocaleString('en')} session tokens: ${mib(full - withLedger)}, ${perSession.toFixed(1)} bytes each (target ≤ ${targets.session}: ${verdict(perSession, targets.session)})`);
console.log(`sweep after expiry: ${sweepMs.toFixed(0)} ms, freed ${mib(full - swept)} of ${mib(full - empty)}; left ${store.ledger.size + store.sessions.size} entries, heap ${mib(swept - empty)} above empty`);
console.log(`node ${process.version}, heapUsed after gc: empty ${mib(empty)}, full ${mib(full)}, swept ${mib(swept)}`);

const missed = perLedgerEntry > targets.ledger || perSession > targets.session;
if (process.argv.includes('--strict') && missed) process.exitCode = 1;
