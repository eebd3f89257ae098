// CPU time the database servers spend, read from /proc. process.cpuUsage() only covers the
// client's side of a Redis or PostgreSQL store; the server's work happens in other processes.
// Everything here answers `undefined` where /proc cannot be read (not Linux, another PID
// namespace, no permission): the numbers are then simply not reported.
import { readFileSync } from 'node:fs';

/** Linux reports process times in USER_HZ ticks, 100 per second on every platform Node runs on. */
const microsecondsPerTick = 10_000;

/** User + system CPU of process `pid` in µs, or undefined when it is gone or is not `name`. */
export function processCpuUs(pid, name) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid …": comm may contain spaces, so split after its closing parenthesis.
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    if (name !== undefined && comm !== name) return undefined;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * microsecondsPerTick;
  } catch {
    return undefined;
  }
}

/** Parent pid of `pid`, or undefined. */
function parentPid(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** CPU of each process in `pids` that is still `name`: pid → µs. */
export function sampleCpu(pids, name) {
  const sample = new Map();
  for (const pid of pids) {
    const us = processCpuUs(pid, name);
    if (us !== undefined) sample.set(pid, us);
  }
  return sample;
}

/**
 * CPU spent between two samples, in µs: a process only in `after` started in between and counts
 * whole; one only in `before` ended in between and its last part is lost (rare: connections stay).
 * Undefined when `after` is empty (nothing readable).
 */
export function cpuBetween(before, after) {
  if (after.size === 0) return undefined;
  let spent = 0;
  for (const [pid, us] of after) spent += us - (before.get(pid) ?? 0);
  return spent;
}

/**
 * The PostgreSQL processes that work for one application: its own connections (by
 * `application_name`), the server's background processes (WAL writer, checkpointer, background
 * writer, autovacuum — shared with every other client of the server) and the postmaster.
 * `db` is anything with `query(text, values)` (a pg Pool or Client).
 */
export async function postgresPids(db, applicationName) {
  const { rows } = await db.query(
    `SELECT pid FROM pg_stat_activity WHERE application_name = $1 OR backend_type <> 'client backend'`,
    [applicationName],
  );
  const pids = rows.map((row) => row.pid);
  const postmaster = pids.length > 0 ? parentPid(pids[0]) : undefined;
  return postmaster === undefined ? pids : [postmaster, ...pids];
}

/** A sampler of the CPU of the PostgreSQL processes that work for `applicationName`. */
export function postgresCpu(db, applicationName) {
  return async () => sampleCpu(await postgresPids(db, applicationName), 'postgres');
}

/** A sampler of the CPU of the Redis server behind an ioredis `client` (all its threads). */
export async function redisCpu(client) {
  const info = await client.info('server');
  const pid = Number(/^process_id:(\d+)/m.exec(info)?.[1]);
  return async () => sampleCpu(Number.isInteger(pid) ? [pid] : [], 'redis-server');
}
