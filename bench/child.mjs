// Entry of every forked server: builds one server, listens on an ephemeral loopback port and
// reports it over IPC. It stops on the parent's word, when the parent goes away, or at its
// deadline, so no run can leave a server behind.
import { once } from 'node:events';
import { createServer } from 'node:http';

const serverName = process.argv[2];
const config = JSON.parse(process.env.BENCH_CONFIG ?? '{}');
const { start } = await import(`./servers/${serverName}.mjs`);
const { app, ready } = await start(config);

const server = createServer(app);
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const { port } = server.address();

function stop() {
  server.closeAllConnections();
  server.close();
  // A normal exit, so --cpu-prof writes its profile.
  process.exit(0);
}
process.on('message', (message) => {
  if (message?.type === 'stop') stop();
  // CPU time per request is steadier than req/s when other work shares the machine.
  if (message?.type === 'cpu') process.send({ type: 'cpu', usage: process.cpuUsage() });
});
process.on('disconnect', stop);
setTimeout(stop, config.deadlineMs ?? 15 * 60_000).unref();

const info = ready === undefined ? {} : await ready(`http://127.0.0.1:${port}`);
process.send({ type: 'ready', port, ...info });
