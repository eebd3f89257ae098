// npm run bench:exchange — the partner exchange alone, in one process: the package's HTTP executor
// running a LoginWithToken command against the same call written by hand with an undici Pool
// (`askPartner`, what the hand-written servers use), both to one node:http partner in this
// process, 50 calls under way at a time. Without the Express servers, the load generator and the
// other processes of `npm run bench`, the difference is far above the noise: it is what the
// executor adds to a handoff or a ValidateBearer miss. The variants run interleaved; the table
// gives the median of the rounds of CPU µs per call (this process's, the partner's share
// included, the same for every variant), calls per second, and the median of the per-round
// ratios of the hand-written call's CPU to the variant's (1.00 is par, lower is worse).
// `--quick` (CI's smoke run): one round of 2,000 calls.
import { createServer } from 'node:http';
import { once } from 'node:events';
import { Pool } from 'undici';
import { createHttpExecutor } from 'login-with-token';
import { commandDefinitionSchema } from '../dist/config/command-schema.js';
import { shareAbortListener } from '../dist/time/deadline.js';
import { runInterleaved } from './interleaved.mjs';
import { askPartner } from './servers/common.mjs';
import { start as startPartner } from './servers/validator.mjs';
import { median } from './table.mjs';

const quick = process.argv.includes('--quick');
const [roundCount, callsPerRound] = quick ? [1, 2_000] : [7, 20_000];
const concurrency = 50;

const partner = createServer(startPartner().app);
partner.listen(0, '127.0.0.1');
await once(partner, 'listening');
const origin = `http://127.0.0.1:${partner.address().port}`;

const executor = createHttpExecutor({ allowPrivateAddresses: ['127.0.0.1'] });
const command = {
  name: 'LoginWithToken',
  tenant: 'default',
  definition: commandDefinitionSchema.parse({ method: 'POST', url: `${origin}/validate`, body: '{"token":"{authToken}"}' }),
};
// As the handoff route's signal of a client connection: one for every call, with one listener.
const notCancelled = new AbortController().signal;
shareAbortListener(notCancelled);
const pool = new Pool(origin, { connections: 64 });

const handWritten = 'undici Pool, by hand';
const variants = {
  'createHttpExecutor': (n) => executor.run(command, { authToken: `t-${n}` }, notCancelled),
  // As the handoff route calls it: a signal of its own per request, aborted if the client leaves.
  'createHttpExecutor, a signal per call': (n) => executor.run(command, { authToken: `t-${n}` }, new AbortController().signal),
  [handWritten]: (n) => askPartner(pool, '/validate', `t-${n}`),
};

const samples = await runInterleaved(variants, {
  rounds: roundCount,
  perRound: callsPerRound,
  concurrency,
  check: (answer) => {
    if (answer?.ContactId !== '1') throw new Error(`unexpected answer ${JSON.stringify(answer)}`);
  },
});

const byHand = samples[handWritten].cpu;
console.log(`| exchange | CPU µs per call | calls/s | CPU ratio to ${handWritten} |\n|---|---:|---:|---:|`);
for (const [name, { cpu, rate }] of Object.entries(samples)) {
  const ratio = median(cpu.map((value, round) => byHand[round] / value));
  console.log(`| ${name} | ${median(cpu).toFixed(1)} | ${Math.round(median(rate))} | ${ratio.toFixed(2)} |`);
}
console.log(`\n${roundCount} × ${callsPerRound} calls, ${concurrency} under way, node ${process.version}`);

await Promise.all([executor.close(), pool.close()]);
partner.close();
