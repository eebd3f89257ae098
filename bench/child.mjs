// Entry of every forked server: builds one server, listens on an ephemeral loopback port and
// reports it over IPC. It stops on the parent's word, when the parent goes away, or at its
// deadline, so no run can leave a server behind; a server's `close` (a database schema to drop)
// gets a few seconds first.
import { once } from 'node:events';
import { createServer } from 'node:http';

const serverName = process.argv[2];
const config = JSON.parse(process.env.BENCH_CONFIG ?? '{}');
const { start } = await import(`./servers/${serverName}.mjs`);
const { app, ready, close, databaseCpu } = await start(config);

const server = createServer(app);
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const { port } = server.address();

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  server.closeAllConnections();
  server.close();
  await Promise.race([close?.().catch((error) => console.error(`close: ${error.message}`)), new Promise((resolve) => setTimeout(resolve, 3_000))]);
  // A normal exit, so --cpu-prof writes its profile.
  process.exit(0);
}
process.on('message', async (message) => {
  if (message?.type === 'stop') void stop();
  // CPU time per request is steadier than req/s when other work shares the machine. A server on
  // a database also reports the CPU of the database processes serving it, as [pid, µs] pairs.
  if (message?.type === 'cpu') {
    const usage = process.cpuUsage();
    const database = databaseCpu === undefined ? undefined : await databaseCpu().then((sample) => [...sample], () => undefined);
    if (process.connected) process.send({ type: 'cpu', usage, database });
  }
});
process.on('disconnect', stop);
setTimeout(stop, config.deadlineMs ?? 15 * 60_000).unref();

const info = ready === undefined ? {} : await ready(`http://127.0.0.1:${port}`);
process.send({ type: 'ready', port, ...info });
